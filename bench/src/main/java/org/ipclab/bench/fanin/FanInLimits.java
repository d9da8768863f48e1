package org.ipclab.bench.fanin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import org.ipclab.core.BadInputException;

/**
 * What {@code --clients} may ask of this machine, checked before anything starts: each refusal is
 * one line naming the value and the limit. A client is a JVM: some threads, a process, memory; in
 * this process, its session's descriptor and three pipes. What the server end itself needs (a
 * listening socket's backlog, a queue's RLIMIT_MSGQUEUE and queues_max) does not grow with N: N
 * writers share the one queue, and opening the server end refuses what the kernel will not give.
 */
public final class FanInLimits {
    /** Descriptors this process holds per client: the session's socket and the client's stdin, stdout and stderr pipes. */
    static final int FDS_PER_CLIENT = 4;
    /** Descriptors the runner holds besides: the JVM's own jars, the listening socket, the C baseline's pipes. */
    static final int FDS_RESERVE = 128;
    /** Threads a small client JVM starts (GC, JIT, signal dispatcher, ...) with room to spare; each is a task the kernel counts. */
    static final int THREADS_PER_CLIENT = 32;
    /** Resident memory a client JVM needs at least (heap in use, metaspace, code cache, thread stacks). */
    static final long BYTES_PER_CLIENT = 64L << 20;

    private FanInLimits() {
    }

    /** {@code --clients 1,4,16,64}: whole numbers of at least 1, in the order given, without repeats. */
    public static List<Integer> parse(String list) {
        List<Integer> counts = new ArrayList<>();
        for (String part : list.split(",", -1)) {
            String p = part.trim();
            int n;
            try {
                n = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new BadInputException("--clients '" + p + "' is not a whole number (e.g. --clients 4 or --clients 1,4,16,64)");
            }
            if (n < 1) throw new BadInputException("--clients " + n + " must be at least 1");
            if (!counts.contains(n)) counts.add(n);
        }
        return counts;
    }

    /** Refuses a count this machine cannot hold; the limits are read now, from the kernel. */
    public static void check(int clients) {
        long nofile = limit("Max open files");
        long fds = (long) clients * FDS_PER_CLIENT + FDS_RESERVE;
        if (nofile >= 0 && fds > nofile) {
            throw new BadInputException("--clients " + clients + " needs about " + fds + " open files in this process ("
                    + FDS_PER_CLIENT + " per client + " + FDS_RESERVE + "); RLIMIT_NOFILE is " + nofile + " (ulimit -n)");
        }
        long tasks = (long) clients * THREADS_PER_CLIENT + runningTasks();
        long threadsMax = number(Path.of("/proc/sys/kernel/threads-max"));
        if (threadsMax > 0 && tasks > threadsMax) {
            throw new BadInputException("--clients " + clients + " needs about " + tasks + " threads on this machine ("
                    + THREADS_PER_CLIENT + " per client JVM + those running); /proc/sys/kernel/threads-max is " + threadsMax);
        }
        long pidMax = number(Path.of("/proc/sys/kernel/pid_max"));
        if (pidMax > 0 && tasks > pidMax) {
            throw new BadInputException("--clients " + clients + " needs about " + tasks + " task ids ("
                    + THREADS_PER_CLIENT + " per client JVM + those running); /proc/sys/kernel/pid_max is " + pidMax);
        }
        long nproc = limit("Max processes");
        // The kernel does not hold root to RLIMIT_NPROC.
        if (nproc >= 0 && !root() && tasks > nproc) {
            throw new BadInputException("--clients " + clients + " needs about " + tasks + " threads of this user ("
                    + THREADS_PER_CLIENT + " per client JVM); RLIMIT_NPROC is " + nproc + " (ulimit -u)");
        }
        OptionalLong available = memAvailable();
        long memory = clients * BYTES_PER_CLIENT;
        if (available.isPresent() && memory > available.getAsLong()) {
            throw new BadInputException("--clients " + clients + " needs about " + (memory >> 20) + " MiB for the client JVMs ("
                    + (BYTES_PER_CLIENT >> 20) + " MiB each); MemAvailable is " + (available.getAsLong() >> 20) + " MiB");
        }
    }

    /** A soft limit of /proc/self/limits, -1 for unlimited or unreadable. */
    static long limit(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (!line.startsWith(name)) continue;
                String soft = line.substring(name.length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux, or a kernel that words it differently: no check
        }
        return -1;
    }

    /** Tasks (threads) on the machine now: the fourth field of /proc/loadavg, "running/total". */
    static long runningTasks() {
        try {
            String[] f = firstLine(Path.of("/proc/loadavg")).split("\\s+");
            return Long.parseLong(f[3].substring(f[3].indexOf('/') + 1));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static boolean root() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) return line.split("\\s+")[2].equals("0"); // effective uid
            }
        } catch (IOException | RuntimeException ignored) {
            // assume not
        }
        return false;
    }

    private static long number(Path file) {
        try {
            return Long.parseLong(firstLine(file));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Read line by line: a whole-file read of a /proc/sys file was seen to return a wrong, short answer here. */
    private static String firstLine(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        return lines.isEmpty() ? "" : lines.get(0).trim();
    }

    private static OptionalLong memAvailable() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) return OptionalLong.of(Long.parseLong(line.split("\\s+")[1]) * 1024);
            }
        } catch (IOException | RuntimeException ignored) {
            // no check
        }
        return OptionalLong.empty();
    }
}
