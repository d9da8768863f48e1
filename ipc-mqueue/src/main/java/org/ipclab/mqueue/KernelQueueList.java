package org.ipclab.mqueue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jnr.ffi.Pointer;

/**
 * The kernel's own list of POSIX queue names, without {@code /dev/mqueue} and without any shared
 * file: a detached {@code mqueue} mount of our IPC namespace ({@code fsopen}, {@code fsconfig},
 * {@code fsmount}; Linux 5.2+) that is attached nowhere — no one else sees it, and it goes when
 * its descriptor closes — listed through {@code /proc/self/fd/N}. Creating it needs CAP_SYS_ADMIN
 * over the IPC namespace, so in practice root; for everyone else it is refused and the per-user
 * {@link Registry} is what there is.
 */
final class KernelQueueList {
    // The same numbers on x86_64 and aarch64 (syscalls from 424 on share one table).
    private static final long SYS_FSOPEN = 430;
    private static final long SYS_FSCONFIG = 431;
    private static final long SYS_FSMOUNT = 432;
    private static final long FSOPEN_CLOEXEC = 1;
    private static final long FSCONFIG_CMD_CREATE = 6;
    private static final long FSMOUNT_CLOEXEC = 1;

    private KernelQueueList() {
    }

    /**
     * Bound here, for this rare use, with seven longs (the number and six arguments): with the
     * six-long form fsconfig failed here with EINVAL (an argument it wants zero was not zero).
     */
    public interface Sys {
        long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

        int close(int fd);
    }

    private static final class Holder {
        static final Sys SYS = jnr.ffi.LibraryLoader.create(Sys.class).load("c");
    }

    /** Every queue name (with its leading slash) of our IPC namespace, or empty when the mount is refused. */
    static Optional<List<String>> names() {
        Sys c;
        try {
            c = Holder.SYS;
        } catch (Throwable unavailable) {
            return Optional.empty();
        }
        Pointer type = Native.allocate(8);
        type.put(0, "mqueue\0".getBytes(StandardCharsets.US_ASCII), 0, 7);
        int fs = (int) c.syscall(SYS_FSOPEN, type.address(), FSOPEN_CLOEXEC, 0, 0, 0, 0);
        if (fs < 0) return Optional.empty();
        int mount = -1;
        try {
            if (c.syscall(SYS_FSCONFIG, fs, FSCONFIG_CMD_CREATE, 0, 0, 0, 0) != 0) return Optional.empty();
            mount = (int) c.syscall(SYS_FSMOUNT, fs, FSMOUNT_CLOEXEC, 0, 0, 0, 0);
            if (mount < 0) return Optional.empty();
            List<String> names = new ArrayList<>();
            try (DirectoryStream<Path> s = Files.newDirectoryStream(Path.of("/proc/self/fd/" + mount))) {
                for (Path p : s) names.add("/" + p.getFileName());
            }
            return Optional.of(names);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        } finally {
            if (mount >= 0) c.close(mount);
            c.close(fs);
        }
    }
}
