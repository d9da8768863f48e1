package org.ipclab.bench.counters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.ipclab.bench.Results;

/**
 * The kernel's counters of the calling thread alone, read by that thread from its own
 * {@code /proc/PID/task/TID} at the edges of its phase: one thread's five files, quick whatever
 * else runs. Where N busy processes share two CPUs, a sweep of every thread of a process waits its
 * turn between reads (a client JVM reading its own twenty threads took 0.6 s among 16 clients and
 * 5 s among 64, longer than the window it was to bracket); the thread doing the work can bracket
 * its own work to the message. The JVM's own threads (GC, JIT) are not read: that is what the
 * whole-process {@link CounterWindow} is for, where it can keep up.
 */
public final class ThreadCounters implements MeasureWindow {
    private final String role;
    private final long pid = ProcessHandle.current().pid();
    private ThreadSample before;

    public ThreadCounters(String role) {
        this.role = role;
    }

    @Override
    public void begin() {
        before = read();
    }

    @Override
    public Results.Counters end(long messages, String per) {
        ThreadSample after = read();
        if (before == null || after == null || before.tid() != after.tid()) {
            return of(role, pid, List.of(), messages, per, "the phase did not begin and end on one thread");
        }
        return of(role, pid, java.util.Collections.singletonList(new ThreadSample[] {before, after}), messages, per, null);
    }

    /** The calling thread now, or null when /proc/thread-self cannot tell which thread that is. */
    public static ThreadSample read() {
        long tid = CounterWindow.currentTid();
        return tid < 0 ? null : ThreadSample.read(ProcFiles.SYSTEM, ProcessHandle.current().pid(), tid);
    }

    /**
     * One "work" group of {@code role}: every counter summed over the threads' phases (each pair a
     * thread's sample before and after its phase; one thread may have had several), per message.
     * With no pair, the group says {@code why}.
     */
    public static Results.Counters of(String role, long pid, List<ThreadSample[]> phases, long messages, String per, String why) {
        if (phases.isEmpty()) {
            return new Results.Counters(messages, per, List.of(new Results.CounterGroup(role, "work", pid, List.of(), null, List.of(),
                    Map.of("all", Results.Figure.unavailable("/proc/" + pid + "/task", why == null ? "no thread counted" : why)))), "perf not asked for");
        }
        Map<String, Results.Figure> figures = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : ThreadSample.SOURCES.entrySet()) {
            long total = 0;
            String missing = null;
            for (ThreadSample[] p : phases) {
                Long a = p[1].values().get(e.getKey()), b = p[0].values().get(e.getKey());
                if (a == null || b == null) {
                    missing = a == null ? p[1].missing().get(e.getKey()) : p[0].missing().get(e.getKey());
                    break;
                }
                total += a - b;
            }
            figures.put(e.getKey(), missing != null ? Results.Figure.unavailable(e.getValue(), missing) : Results.Figure.of(total, messages, e.getValue()));
        }
        List<Long> tids = new ArrayList<>(new TreeSet<>(phases.stream().map(p -> p[1].tid()).toList()));
        List<Integer> ranOn = new ArrayList<>(new TreeSet<>(phases.stream().map(p -> p[1].processor()).filter(c -> c >= 0).toList()));
        String cpus = phases.stream().map(p -> p[1].cpusAllowed()).filter(c -> c != null).distinct().reduce((x, y) -> x + " | " + y).orElse(null);
        return new Results.Counters(messages, per, List.of(new Results.CounterGroup(role, "work", pid, tids, cpus, ranOn, figures)), "perf not asked for");
    }
}
