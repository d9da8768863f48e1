package org.ipclab.bench.counters;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Every thread of one process at one moment, each marked as the JVM's own or not. */
public record ProcessSample(long pid, List<ThreadSample> threads) {
    /**
     * Thread names (as {@code /proc/.../comm} shows them, cut to 15 characters) of the JVM's own
     * threads: collectors, compilers, and the housekeeping threads of the JDK. Everything else
     * (main, the open-loop sender, a mechanism's helper thread, a C process) does the work.
     */
    static final List<String> JVM_PREFIXES = List.of("GC Thread", "G1 ", "VM Thread", "VM Periodic", "C1 CompilerThre",
            "C2 CompilerThre", "Compiler", "Reference Handl", "Finalizer", "Signal Dispatch", "Service Thread",
            "Monitor Deflati", "Sweeper thread", "Common-Cleaner", "Notification Th", "Attach Listener",
            "process reaper", "JFR ", "Shenandoah", "ZGC", "ZDirector", "ZStat", "ZUnmapper", "Cleaner-",
            "ipclab-perf-ack"); // the last: the instrument's own thread, not the mechanism's work

    public static boolean jvmThread(String name) {
        for (String p : JVM_PREFIXES) if (name.startsWith(p)) return true;
        return false;
    }

    /** The process's threads now; a thread that ends while it is read is left out. */
    public static ProcessSample read(ProcFiles proc, long pid) throws IOException {
        return read(proc, pid, -1, false);
    }

    /**
     * As {@link #read(ProcFiles, long)}, with the reading thread {@code self} read last
     * ({@code selfFirst} false: the snapshot before a phase) or first (after it), so that the
     * system calls of reading /proc are not counted as the reading thread's own work.
     */
    public static ProcessSample read(ProcFiles proc, long pid, long self, boolean selfFirst) throws IOException {
        List<ThreadSample> threads = new ArrayList<>();
        List<Long> order = new ArrayList<>();
        for (String t : proc.list(pid + "/task")) {
            try {
                order.add(Long.parseLong(t));
            } catch (NumberFormatException e) {
                // not a thread
            }
        }
        if (order.remove(Long.valueOf(self))) {
            if (selfFirst) order.add(0, self);
            else order.add(self);
        }
        for (long tid : order) {
            ThreadSample s = ThreadSample.read(proc, pid, tid);
            if (s.values().isEmpty() && !s.missing().isEmpty() && s.missing().values().stream().allMatch(w -> w.contains("no such file"))) continue;
            threads.add(s);
        }
        return new ProcessSample(pid, List.copyOf(threads));
    }

    public List<Long> tids() {
        return threads.stream().map(ThreadSample::tid).toList();
    }
}
