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
            "process reaper", "JFR ", "Shenandoah", "ZGC", "ZDirector", "ZStat", "ZUnmapper", "Cleaner-");

    public static boolean jvmThread(String name) {
        for (String p : JVM_PREFIXES) if (name.startsWith(p)) return true;
        return false;
    }

    /** The process's threads now; a thread that ends while it is read is left out. */
    public static ProcessSample read(ProcFiles proc, long pid) throws IOException {
        List<ThreadSample> threads = new ArrayList<>();
        for (String t : proc.list(pid + "/task")) {
            long tid;
            try {
                tid = Long.parseLong(t);
            } catch (NumberFormatException e) {
                continue;
            }
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
