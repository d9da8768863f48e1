package org.ipclab.bench.counters;

import java.io.FileInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.ipclab.bench.Results;

/**
 * The kernel's counters of the calling thread alone, read by that thread from its own
 * {@code /proc/PID/task/TID} at the edges of its phase. Where N busy processes share two CPUs, a
 * sweep of every thread of a process waits its turn between reads (a client JVM reading its own
 * twenty threads took 0.6 s among 16 clients and 5 s among 64, longer than the window it was to
 * bracket); even one thread's five files, read the general way, took 0.1–0.3 s among 64 (1.4 ms of
 * work, preempted). So only two files are read, into one buffer, by code warmed before the phase:
 * {@code status} (context switches) and {@code schedstat} (time on a CPU, time waiting for one),
 * schedstat last before the phase and first after it, so that a preemption while reading falls
 * outside the counts. The JVM's own threads (GC, JIT) are not read: that is what the
 * whole-process {@link CounterWindow} is for, where it can keep up.
 */
public final class ThreadCounters implements MeasureWindow {
    /** The counters of ThreadSample.SOURCES this reader leaves out, and why. */
    static final String NOT_READ = "not read on fan-in rows: only status and schedstat are, to be quick among N busy processes";
    private static final int WARM_READS = 300; // past C1's compile threshold (200 calls): not run cold at the edges

    private final String role;
    private final long pid = ProcessHandle.current().pid();
    private final byte[] buf = new byte[4096];
    private ThreadSample before;

    public ThreadCounters(String role) {
        this.role = role;
    }

    /** Reads this thread's counters often enough for the JIT to compile the reading, before any phase. */
    public ThreadCounters warm() {
        for (int i = 0; i < WARM_READS; i++) {
            long tid = CounterWindow.currentTid();
            if (tid < 0) break;
            read(tid, true);
        }
        return this;
    }

    @Override
    public void begin() {
        before = readSelf();
    }

    /** The calling thread now, as the sample before a phase; null when /proc cannot tell which thread that is. */
    public ThreadSample readSelf() {
        long tid = CounterWindow.currentTid();
        return tid < 0 ? null : read(tid, true);
    }

    @Override
    public Results.Counters end(long messages, String per) {
        ThreadSample after = before == null ? null : read(before.tid(), false);
        if (after == null || CounterWindow.currentTid() != before.tid()) {
            return of(role, pid, List.of(), messages, per, "the phase did not begin and end on one thread that /proc could tell");
        }
        return of(role, pid, java.util.Collections.singletonList(new ThreadSample[] {before, after}), messages, per, null);
    }

    /** Thread {@code tid} of this process now, schedstat last ({@code schedstatLast}) or first; never throws. */
    public ThreadSample read(long tid, boolean schedstatLast) {
        String dir = "/proc/" + pid + "/task/" + tid + "/";
        Map<String, Long> values = new LinkedHashMap<>();
        Map<String, String> missing = new LinkedHashMap<>();
        String[] cpus = new String[1];
        if (schedstatLast) {
            status(dir, values, missing, cpus);
            schedstat(dir, values, missing);
        } else {
            schedstat(dir, values, missing);
            status(dir, values, missing, cpus);
        }
        for (String k : ThreadSample.SOURCES.keySet()) if (!values.containsKey(k) && !missing.containsKey(k)) missing.put(k, NOT_READ);
        return new ThreadSample(tid, "?", values, missing, cpus[0], -1);
    }

    private int slurp(String path) throws IOException {
        try (FileInputStream in = new FileInputStream(path)) {
            int n = 0, r;
            while (n < buf.length && (r = in.read(buf, n, buf.length - n)) > 0) n += r;
            return n;
        }
    }

    private void status(String dir, Map<String, Long> values, Map<String, String> missing, String[] cpus) {
        try {
            int n = slurp(dir + "status");
            Long vol = field(n, "voluntary_ctxt_switches:"), invol = field(n, "nonvoluntary_ctxt_switches:");
            if (vol == null || invol == null) throw new IOException(dir + "status has no context switch counts");
            values.put("ctx_voluntary", vol);
            values.put("ctx_involuntary", invol);
            cpus[0] = text(n, "Cpus_allowed_list:");
        } catch (IOException e) {
            missing.put("ctx_voluntary", dir + "status: " + e.getMessage());
            missing.put("ctx_involuntary", dir + "status: " + e.getMessage());
        }
    }

    private void schedstat(String dir, Map<String, Long> values, Map<String, String> missing) {
        try {
            int n = slurp(dir + "schedstat");
            int i = 0;
            long[] f = new long[2];
            for (int k = 0; k < 2; k++) {
                while (i < n && buf[i] == ' ') i++;
                if (i >= n || buf[i] < '0' || buf[i] > '9') throw new IOException(dir + "schedstat: unexpected format");
                long v = 0;
                while (i < n && buf[i] >= '0' && buf[i] <= '9') v = v * 10 + (buf[i++] - '0');
                f[k] = v;
            }
            values.put("run_ns", f[0]);
            values.put("wait_ns", f[1]);
        } catch (IOException e) {
            String why = dir + "schedstat: " + e.getMessage() + " (the kernel needs CONFIG_SCHED_INFO)";
            missing.put("run_ns", why);
            missing.put("wait_ns", why);
        }
    }

    /** The number after {@code key} at the start of a line of the buffer's first n bytes, or null. */
    private Long field(int n, String key) {
        int at = line(n, key);
        if (at < 0) return null;
        while (at < n && (buf[at] == ' ' || buf[at] == '\t')) at++;
        long v = 0;
        int start = at;
        while (at < n && buf[at] >= '0' && buf[at] <= '9') v = v * 10 + (buf[at++] - '0');
        return at > start ? v : null;
    }

    private String text(int n, String key) {
        int at = line(n, key);
        if (at < 0) return null;
        int end = at;
        while (end < n && buf[end] != '\n') end++;
        return new String(buf, at, end - at, java.nio.charset.StandardCharsets.US_ASCII).strip();
    }

    /** Where the value of the line starting with {@code key} begins, or -1. */
    private int line(int n, String key) {
        for (int i = 0; i + key.length() <= n; ) {
            boolean match = true;
            for (int k = 0; k < key.length() && match; k++) match = buf[i + k] == key.charAt(k);
            if (match) return i + key.length();
            while (i < n && buf[i] != '\n') i++;
            i++;
        }
        return -1;
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
        String cpus = phases.stream().map(p -> p[1].cpusAllowed()).filter(c -> c != null).distinct().reduce((x, y) -> x + " | " + y).orElse(null);
        return new Results.Counters(messages, per, List.of(new Results.CounterGroup(role, "work", pid, tids, cpus, List.of(), figures)), "perf not asked for");
    }
}
