package org.ipclab.bench.counters;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One thread's counters as {@code /proc/PID/task/TID/*} shows them at one moment. A counter the
 * kernel would not give is absent from {@code values} and present in {@code missing} with the
 * reason ("/proc/1/task/1/io: permission denied").
 *
 * @param processor the CPU the thread last ran on (stat field 39), -1 when unknown
 */
public record ThreadSample(long tid, String name, Map<String, Long> values, Map<String, String> missing,
                           String cpusAllowed, int processor) {
    /** Counter names from /proc, with the file and field each comes from. */
    public static final Map<String, String> SOURCES = sources();

    private static Map<String, String> sources() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("ctx_voluntary", "/proc/PID/task/TID/status voluntary_ctxt_switches");
        m.put("ctx_involuntary", "/proc/PID/task/TID/status nonvoluntary_ctxt_switches");
        m.put("minor_faults", "/proc/PID/task/TID/stat minflt (field 10)");
        m.put("major_faults", "/proc/PID/task/TID/stat majflt (field 12)");
        m.put("run_ns", "/proc/PID/task/TID/schedstat (1: time on the CPU, ns)");
        m.put("wait_ns", "/proc/PID/task/TID/schedstat (2: time runnable, waiting for a CPU, ns)");
        m.put("syscr", "/proc/PID/task/TID/io syscr (read-family calls: read, readv, pread; not recv*, mq_*, msgrcv)");
        m.put("syscw", "/proc/PID/task/TID/io syscw (write-family calls: write, writev, pwrite; not send*, mq_*, msgsnd)");
        m.put("rchar", "/proc/PID/task/TID/io rchar (bytes through read-family calls)");
        m.put("wchar", "/proc/PID/task/TID/io wchar (bytes through write-family calls)");
        return java.util.Collections.unmodifiableMap(m);
    }

    /** Reads one thread; never throws: what cannot be read is recorded as missing, with why. */
    public static ThreadSample read(ProcFiles proc, long pid, long tid) {
        String dir = pid + "/task/" + tid + "/";
        Map<String, Long> values = new LinkedHashMap<>();
        Map<String, String> missing = new LinkedHashMap<>();
        String name = "?";
        String cpus = null;
        int processor = -1;
        try {
            List<String> comm = proc.lines(dir + "comm");
            if (!comm.isEmpty()) name = comm.get(0).strip();
        } catch (IOException e) {
            // the name only classifies the thread; the stat line below carries it too
        }
        try {
            for (String line : proc.lines(dir + "status")) {
                if (line.startsWith("voluntary_ctxt_switches:")) values.put("ctx_voluntary", number(line));
                else if (line.startsWith("nonvoluntary_ctxt_switches:")) values.put("ctx_involuntary", number(line));
                else if (line.startsWith("Cpus_allowed_list:")) cpus = line.substring(line.indexOf(':') + 1).strip();
            }
        } catch (IOException e) {
            miss(missing, why(dir + "status", e), "ctx_voluntary", "ctx_involuntary");
        }
        try {
            List<String> stat = proc.lines(dir + "stat");
            String line = stat.isEmpty() ? "" : stat.get(0);
            int close = line.lastIndexOf(')'); // the name may hold spaces and parentheses
            if (close < 0) throw new IOException("/proc/" + dir + "stat: unexpected format");
            if ("?".equals(name)) name = line.substring(line.indexOf('(') + 1, close);
            String[] f = line.substring(close + 2).trim().split("\\s+"); // f[0] is field 3 (state)
            values.put("minor_faults", Long.parseLong(f[10 - 3]));
            values.put("major_faults", Long.parseLong(f[12 - 3]));
            if (f.length > 39 - 3) processor = Integer.parseInt(f[39 - 3]);
        } catch (IOException | RuntimeException e) {
            miss(missing, why(dir + "stat", e), "minor_faults", "major_faults");
        }
        try {
            List<String> lines = proc.lines(dir + "schedstat");
            String[] f = (lines.isEmpty() ? "" : lines.get(0)).trim().split("\\s+");
            values.put("run_ns", Long.parseLong(f[0]));
            values.put("wait_ns", Long.parseLong(f[1]));
        } catch (IOException | RuntimeException e) {
            miss(missing, why(dir + "schedstat", e) + " (the kernel needs CONFIG_SCHED_INFO)", "run_ns", "wait_ns");
        }
        try {
            Map<String, Long> io = new LinkedHashMap<>();
            for (String line : proc.lines(dir + "io")) {
                int colon = line.indexOf(':');
                if (colon > 0) io.put(line.substring(0, colon).strip(), number(line));
            }
            for (String k : List.of("syscr", "syscw", "rchar", "wchar")) {
                if (io.containsKey(k)) values.put(k, io.get(k));
                else missing.put(k, "/proc/" + dir + "io has no " + k);
            }
        } catch (IOException | RuntimeException e) {
            miss(missing, why(dir + "io", e) + " (it needs the same user or root, and CONFIG_TASK_IO_ACCOUNTING)",
                    "syscr", "syscw", "rchar", "wchar");
        }
        return new ThreadSample(tid, name, Map.copyOf(values), Map.copyOf(missing), cpus, processor);
    }

    private static long number(String line) {
        return Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
    }

    private static void miss(Map<String, String> missing, String why, String... keys) {
        for (String k : keys) missing.put(k, why);
    }

    private static String why(String path, Exception e) {
        String what = e instanceof NoSuchFileException ? "no such file (the thread ended, or the kernel lacks it)"
                : e instanceof AccessDeniedException ? "permission denied"
                : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return "/proc/" + path + ": " + what;
    }
}
