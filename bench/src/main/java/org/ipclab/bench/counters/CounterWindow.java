package org.ipclab.bench.counters;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

import org.ipclab.bench.Results;

/**
 * Kernel counters of a set of processes over one measured phase: {@code /proc} per thread before
 * and after, and {@code perf stat} per thread in between when perf works here. Each process's
 * threads are split into those doing the work and the JVM's own (GC, JIT, ...), which are
 * reported apart so that a collection or a compilation does not pass for the mechanism's cost.
 */
public final class CounterWindow implements MeasureWindow {
    /**
     * A process to count, with its role in the result ("runner", "peer"); with {@code thread} set,
     * only its threads of that name (as /proc's comm shows it), so that one thread of a process can
     * be a group of its own beside the whole process: the process is read once either way.
     */
    public record Watched(String role, long pid, String thread) {
        public Watched(String role, long pid) {
            this(role, pid, null);
        }
    }

    private final ProcFiles proc;
    private final List<Watched> watched;
    private final boolean usePerf;
    private List<ProcessSample> before = List.of();
    private final List<PerfStat> perfs = new ArrayList<>();
    private final List<Long> perfPids = new ArrayList<>(); // the process each of perfs counts
    private String perfWhy;
    private long selfTid = -1;

    public CounterWindow(ProcFiles proc, List<Watched> watched, boolean usePerf) {
        this.proc = proc;
        this.watched = List.copyOf(watched);
        this.usePerf = usePerf;
    }

    /** This JVM as the runner and the peer process; perf when it works here. */
    public static CounterWindow pair(long peerPid) {
        return new CounterWindow(ProcFiles.SYSTEM, List.of(new Watched("runner", ProcessHandle.current().pid()),
                new Watched("peer", peerPid)), true);
    }

    @Override
    public void begin() {
        perfs.forEach(PerfStat::close); // a phase that ended in an error never reached end()
        perfs.clear();
        perfPids.clear();
        perfWhy = usePerf ? PerfStat.unavailable().orElse(null) : "perf not asked for";
        selfTid = currentTid();
        List<ProcessSample> threads = sample(false);
        if (perfWhy == null) {
            try {
                // perf first, /proc next, then switch perf on: the /proc reads are not counted as the mechanism's calls.
                for (ProcessSample s : threads) {
                    if (perfPids.contains(s.pid())) continue; // one perf per process, however many groups it has
                    perfs.add(PerfStat.start(s.tids()));
                    perfPids.add(s.pid());
                }
                before = sample(false);
                for (PerfStat p : perfs) p.enable();
                return;
            } catch (IOException e) {
                perfWhy = e.getMessage();
                perfs.forEach(PerfStat::close);
                perfs.clear();
                perfPids.clear();
            }
        }
        before = threads;
    }

    @Override
    public Results.Counters end(long messages, String per) {
        Map<Long, Map<Long, Map<String, Long>>> counted = null;
        if (!perfs.isEmpty()) {
            try {
                for (PerfStat p : perfs) p.disable();
            } catch (IOException e) {
                perfWhy = e.getMessage();
            }
        }
        List<ProcessSample> after = sample(true);
        if (!perfs.isEmpty()) {
            counted = new LinkedHashMap<>();
            for (int i = 0; i < perfs.size(); i++) {
                PerfStat p = perfs.get(i);
                try {
                    if (perfWhy == null) counted.put(perfPids.get(i), p.stop());
                } catch (IOException e) {
                    perfWhy = e.getMessage();
                }
                p.close();
            }
            perfs.clear();
            perfPids.clear();
            if (perfWhy != null) counted = null;
        }
        List<Map<Long, Map<String, Long>>> perProcess = null;
        if (counted != null) {
            perProcess = new ArrayList<>();
            for (Watched w : watched) perProcess.add(counted.get(w.pid()));
        }
        return compute(watched, before, after, perProcess, perfWhy, messages, per);
    }

    /** The calling thread's id (/proc/thread-self links to PID/task/TID), or -1. */
    static long currentTid() {
        try {
            String link = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/thread-self")).toString();
            return Long.parseLong(link.substring(link.lastIndexOf('/') + 1));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static boolean ran(ThreadSample after, ThreadSample before) {
        Long a = after.values().get("run_ns");
        Long b = before == null ? Long.valueOf(0) : before.values().get("run_ns");
        return a == null || b == null || a > b;
    }

    /**
     * Every watched process, each read once however many groups it has; this thread is read last
     * before a phase and first after it (see ProcessSample).
     */
    private List<ProcessSample> sample(boolean after) {
        ProcessSample[] out = new ProcessSample[watched.size()];
        Map<Long, ProcessSample> read = new LinkedHashMap<>();
        long self = ProcessHandle.current().pid();
        for (int k = 0; k < watched.size(); k++) {
            int i = after ? k : watched.size() - 1 - k; // this process (the runner, first in the list) last before, first after
            Watched w = watched.get(i);
            out[i] = read.computeIfAbsent(w.pid(), pid -> {
                try {
                    return ProcessSample.read(proc, pid, pid == self ? selfTid : -1, after);
                } catch (IOException e) {
                    return new ProcessSample(pid, List.of());
                }
            });
        }
        return List.of(out);
    }

    /**
     * The arithmetic, apart from any process: deltas per group of threads, divided by the messages.
     *
     * @param perf per watched process, tid → counter → count over the phase; null when perf did not count
     */
    public static Results.Counters compute(List<Watched> watched, List<ProcessSample> before, List<ProcessSample> after,
                                           List<Map<Long, Map<String, Long>>> perf, String perfWhy, long messages, String per) {
        List<Results.CounterGroup> groups = new ArrayList<>();
        for (int i = 0; i < watched.size(); i++) {
            Watched w = watched.get(i);
            Map<Long, ThreadSample> start = new LinkedHashMap<>();
            for (ThreadSample t : before.get(i).threads()) start.put(t.tid(), t);
            for (boolean jvm : new boolean[] {false, true}) {
                List<ThreadSample> mine = after.get(i).threads().stream()
                        .filter(t -> ProcessSample.jvmThread(t.name()) == jvm && (w.thread() == null || w.thread().equals(t.name()))).toList();
                if (mine.isEmpty()) {
                    if (!jvm) groups.add(new Results.CounterGroup(w.role(), "work", w.pid(), List.of(), null, List.of(),
                            Map.of("all", Results.Figure.unavailable("/proc/" + w.pid() + "/task", w.thread() != null
                                    ? "no thread named " + w.thread() + " when its counters were read"
                                    : "the process ended before its counters were read"))));
                    continue;
                }
                Map<String, Results.Figure> figures = new LinkedHashMap<>();
                Map<Long, Map<String, Long>> counts = perf == null ? null : perf.get(i);
                for (Map.Entry<String, String> e : PerfStat.EVENTS.entrySet()) {
                    String source = "perf stat " + e.getKey() + " (per thread)";
                    if (counts == null) {
                        figures.put(e.getValue(), Results.Figure.unavailable(source, perfWhy == null ? "perf did not count" : perfWhy));
                        continue;
                    }
                    long total = 0;
                    for (ThreadSample t : mine) {
                        Map<String, Long> c = counts.get(t.tid());
                        if (c != null && c.get(e.getValue()) != null) total += c.get(e.getValue());
                    }
                    figures.put(e.getValue(), Results.Figure.of(total, messages, source));
                }
                for (Map.Entry<String, String> e : ThreadSample.SOURCES.entrySet()) {
                    String key = e.getKey();
                    long total = 0;
                    String why = null;
                    for (ThreadSample t : mine) {
                        ThreadSample s = start.get(t.tid());
                        Long a = t.values().get(key);
                        Long b = s == null ? Long.valueOf(0) : s.values().get(key); // born during the phase: from zero
                        if (a == null || b == null) {
                            why = a == null ? t.missing().get(key) : s.missing().get(key);
                            break;
                        }
                        total += a - b;
                    }
                    figures.put(key, why != null ? Results.Figure.unavailable(e.getValue(), why)
                            : Results.Figure.of(total, messages, e.getValue()));
                }
                // The CPUs of the threads that ran in the phase (an idle thread's last CPU says nothing about it).
                List<Integer> ranOn = new ArrayList<>(new TreeSet<>(mine.stream()
                        .filter(t -> ran(t, start.get(t.tid()))).map(ThreadSample::processor).filter(c -> c >= 0).toList()));
                String cpus = mine.stream().map(ThreadSample::cpusAllowed).filter(c -> c != null).distinct()
                        .reduce((x, y) -> x + " | " + y).orElse(null);
                groups.add(new Results.CounterGroup(w.role(), jvm ? "jvm" : "work", w.pid(),
                        mine.stream().map(ThreadSample::tid).toList(), cpus, ranOn, figures));
            }
        }
        return new Results.Counters(messages, per, groups, perf == null ? Optional.ofNullable(perfWhy).orElse("perf did not count") : null);
    }
}
