package org.ipclab.bench.scale;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.ipclab.core.BadInputException;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.Names;
import org.ipclab.core.ServerEnd;

/**
 * Whether this machine can hold N pairs of a mechanism, checked before any peer starts. The
 * footprint of one pair is measured, not assumed: one server end is opened and the file
 * descriptors and /dev/shm bytes it added are counted (plus the accepted channel and the peer's
 * stderr pipe, two more descriptors). Each peer JVM is taken to need as many threads as this JVM
 * runs now. Then N server ends are opened at once and closed again, so that a limit the
 * arithmetic cannot see (the per-user message-queue bytes, a fixed name or port given with --opt)
 * is met here, with the kernel's own error, instead of half-way through a run.
 */
public final class MachineLimits {
    /** Descriptors a pair adds beyond its server end: the accepted channel and the peer's stderr pipe. */
    static final int FDS_PER_PEER = 2;
    private static final Path PROC = Path.of("/proc");
    private static final Path SHM = Path.of("/dev/shm");

    private MachineLimits() {
    }

    /** Refuses {@code n} pairs of this mechanism with a one-line {@link BadInputException} naming the value and the limit. */
    public static void check(ChannelProvider provider, ChannelSpec spec, int n) throws IOException {
        int fds0 = openFds();
        long shm0 = ourShmBytes();
        int perPair;
        long shmPerPair;
        try (ServerEnd one = provider.open(spec)) {
            perPair = Math.max(0, openFds() - fds0) + FDS_PER_PEER;
            shmPerPair = Math.max(0, ourShmBytes() - shm0);
        }
        String what = "--pairs " + n + " of " + provider.name();
        long noFile = limit("Max open files");
        if (noFile > 0 && fds0 + (long) n * perPair > noFile) {
            throw new BadInputException(what + " needs about " + n + " × " + perPair + " = " + (long) n * perPair
                    + " file descriptors beside the " + fds0 + " open now; RLIMIT_NOFILE (ulimit -n) is " + noFile);
        }
        long threadsPerPeer = countEntries(PROC.resolve("self/task"));
        long threads = n * (threadsPerPeer + 1); // each peer JVM, and a runner thread per pair here
        long running = runningThreads();
        checkTasks(what, threads, running, number(PROC.resolve("sys/kernel/threads-max")), "kernel.threads-max (/proc/sys/kernel/threads-max)");
        checkTasks(what, threads, running, number(PROC.resolve("sys/kernel/pid_max")), "kernel.pid_max (/proc/sys/kernel/pid_max)");
        long nproc = limit("Max processes");
        if (nproc > 0 && uid() != 0) { // root is exempt from RLIMIT_NPROC (CAP_SYS_RESOURCE)
            checkTasks(what, threads, userThreads(uid()), nproc, "RLIMIT_NPROC (ulimit -u)");
        }
        if (shmPerPair > 0 && Files.isDirectory(SHM)) {
            long free = Files.getFileStore(SHM).getUsableSpace();
            if ((long) n * shmPerPair > free) {
                throw new BadInputException(what + " needs " + n + " × " + shmPerPair + " = " + (long) n * shmPerPair
                        + " bytes in /dev/shm; it has " + free + " bytes free");
            }
        }
        openAtOnce(provider, spec, n, what);
    }

    private static void checkTasks(String what, long needed, long running, long limit, String name) {
        if (limit > 0 && running + needed > limit) {
            throw new BadInputException(what + " needs about " + needed + " more threads (peer JVMs of this one's "
                    + "size) beside the " + running + " running; " + name + " is " + limit);
        }
    }

    /** N server ends at once, closed again: the kernel's own refusal, before any peer starts. */
    private static void openAtOnce(ChannelProvider provider, ChannelSpec spec, int n, String what) {
        List<ServerEnd> open = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                try {
                    open.add(provider.open(spec));
                } catch (IOException | RuntimeException e) {
                    throw new BadInputException(what + ": the kernel objects of pair " + (i + 1) + " could not be made ("
                            + oneLine(e.getMessage()) + "); limits here: " + limitsLine());
                }
            }
        } finally {
            for (ServerEnd s : open) {
                try {
                    s.close();
                } catch (Exception ignored) {
                    // closing what we just made: best effort, `ipc clean` knows our names
                }
            }
        }
    }

    /** The limits an IPC object may meet, as the kernel states them now. */
    static String limitsLine() {
        List<String> parts = new ArrayList<>();
        parts.add("RLIMIT_NOFILE " + show(limit("Max open files")));
        parts.add("RLIMIT_MSGQUEUE " + show(limit("Max msgqueue size")) + " bytes");
        parts.add("fs.mqueue.queues_max " + show(number(PROC.resolve("sys/fs/mqueue/queues_max"))));
        parts.add("kernel.msgmni " + show(number(PROC.resolve("sys/kernel/msgmni"))));
        if (Files.isDirectory(SHM)) {
            try {
                parts.add("/dev/shm free " + Files.getFileStore(SHM).getUsableSpace() + " bytes");
            } catch (IOException e) {
                // not said when it cannot be read
            }
        }
        return String.join(", ", parts);
    }

    private static String show(long v) {
        return v < 0 ? "unlimited" : Long.toString(v);
    }

    /** The soft limit of /proc/self/limits' line starting with {@code name}; -1 for unlimited or unknown. */
    static long limit(String name) {
        try {
            for (String line : Files.readAllLines(PROC.resolve("self/limits"))) {
                if (!line.startsWith(name)) continue;
                String soft = line.substring(name.length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or a format we do not know: no check
        }
        return -1;
    }

    /** A number in a /proc file; read by lines, as Files.readString reads a 0-sized /proc file only in part. */
    private static long number(Path file) {
        try {
            return Long.parseLong(Files.readAllLines(file).get(0).strip());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static int openFds() {
        return (int) countEntries(PROC.resolve("self/fd"));
    }

    private static long countEntries(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        } catch (IOException e) {
            return 0;
        }
    }

    /** Threads on the machine now: the denominator of /proc/loadavg's fourth field. */
    private static long runningThreads() {
        try {
            String f = Files.readAllLines(PROC.resolve("loadavg")).get(0).trim().split("\\s+")[3];
            return Long.parseLong(f.substring(f.indexOf('/') + 1));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static long uid() {
        return statusField(PROC.resolve("self/status"), "Uid:").orElse(-1L);
    }

    /** Threads of processes whose real uid is {@code uid}: what RLIMIT_NPROC counts. */
    private static long userThreads(long uid) {
        long total = 0;
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(PROC, p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
            for (Path p : procs) {
                Path status = p.resolve("status");
                if (statusField(status, "Uid:").orElse(-2L) == uid) total += statusField(status, "Threads:").orElse(1L);
            }
        } catch (IOException e) {
            return 0;
        }
        return total;
    }

    private static Optional<Long> statusField(Path status, String field) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith(field)) return Optional.of(Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]));
            }
        } catch (IOException | RuntimeException e) {
            // the process ended meanwhile
        }
        return Optional.empty();
    }

    /** Logical bytes of the files under /dev/shm named as this process's objects ({@code ipclab-<pid>-...}). */
    private static long ourShmBytes() {
        if (!Files.isDirectory(SHM)) return 0;
        String mine = Names.PREFIX + ProcessHandle.current().pid() + "-";
        long total = 0;
        try (DirectoryStream<Path> top = Files.newDirectoryStream(SHM, p -> p.getFileName().toString().startsWith(mine))) {
            for (Path p : top) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    try (Stream<Path> all = Files.walk(p)) {
                        total += all.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).mapToLong(MachineLimits::size).sum();
                    }
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    total += size(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            return total;
        }
        return total;
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    private static String oneLine(String s) {
        return s == null ? "unknown error" : s.replace('\n', ' ').strip();
    }
}
