package org.ipclab.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import jnr.ffi.LibraryLoader;

/**
 * A pipe's capacity: {@code fcntl(fd, F_GETPIPE_SZ)} and {@code fcntl(fd, F_SETPIPE_SZ, n)} (Linux
 * 2.6.35+). The kernel rounds a request up to a power-of-two number of pages; an unprivileged
 * process may not exceed {@code /proc/sys/fs/pipe-max-size} (EPERM), and a user whose pipes
 * already hold {@code pipe-user-pages-soft} pages gets one page per new pipe.
 *
 * <p>Here in ipc-core because two mechanisms share it: a FIFO is a pipe with a name, so the same
 * calls apply to a descriptor of either.
 */
public final class PipeCapacity {
    static final int F_SETPIPE_SZ = 1031;
    static final int F_GETPIPE_SZ = 1032;
    private static final int SC_PAGESIZE = 30;
    public static final Path MAX_SIZE_FILE = Path.of("/proc/sys/fs/pipe-max-size");

    /** The two libc calls we need that jnr-posix does not expose with arbitrary commands. */
    public interface LibC {
        int fcntl(int fd, int cmd, int arg);

        long sysconf(int name);
    }

    private static final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
        static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(LIBC);
    }

    private PipeCapacity() {
    }

    /** The capacity of the pipe behind {@code fd}, in bytes. */
    public static int get(int fd) throws NativeException {
        int n = Holder.LIBC.fcntl(fd, F_GETPIPE_SZ, 0);
        if (n < 0) throw new NativeException("fcntl(" + fd + ", F_GETPIPE_SZ)", Holder.RUNTIME.getLastError());
        return n;
    }

    /** The page size, the smallest capacity a pipe can have. */
    public static int pageSize() {
        long n = Holder.LIBC.sysconf(SC_PAGESIZE);
        return n > 0 ? (int) n : 4096;
    }

    /** {@code /proc/sys/fs/pipe-max-size}, or -1 if it cannot be read. */
    public static long maxSize() {
        try {
            // Files.readString returned only the first byte of /proc/sys files here.
            List<String> lines = Files.readAllLines(MAX_SIZE_FILE);
            return lines.isEmpty() ? -1 : Long.parseLong(lines.get(0).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** Checks a requested size before any kernel object exists: at least one page, at most what an int holds. */
    public static int validate(long requested) {
        int page = pageSize();
        if (requested < page) {
            throw new BadInputException("pipe-size " + requested + " is below one page (" + page
                    + " bytes), the smallest capacity a pipe can have");
        }
        if (requested > Integer.MAX_VALUE) {
            throw new BadInputException("pipe-size " + requested + " is over the largest value fcntl takes ("
                    + Integer.MAX_VALUE + ")" + maxSizeHint());
        }
        return (int) requested;
    }

    /**
     * Asks the kernel for {@code requested} bytes and returns what it granted (rounded up to a
     * power of two pages). Refusals become one-line errors that name the limit.
     */
    public static int set(int fd, int requested) throws IOException {
        int granted = Holder.LIBC.fcntl(fd, F_SETPIPE_SZ, requested);
        if (granted >= 0) return granted;
        int errno = Holder.RUNTIME.getLastError();
        String call = "fcntl(F_SETPIPE_SZ, " + requested + ")";
        long max = maxSize();
        if (errno == jnr.constants.platform.Errno.EPERM.intValue()) {
            if (max > 0 && requested > max) {
                throw new BadInputException("pipe-size " + requested + " (" + Units.formatSize(requested)
                        + ") is over " + MAX_SIZE_FILE + " = " + max + " (" + Units.formatSize(max)
                        + "); only a process with CAP_SYS_RESOURCE may exceed it: " + call + " failed with EPERM");
            }
            throw new BadInputException("pipe-size " + requested + " refused with EPERM: this user's pipes already use more pages than "
                    + "/proc/sys/fs/pipe-user-pages-hard allows (close some pipes or raise the limit)");
        }
        if (errno == jnr.constants.platform.Errno.EBUSY.intValue()) {
            throw new BadInputException("pipe-size " + requested + " is smaller than the data now in the pipe (EBUSY)");
        }
        if (errno == jnr.constants.platform.Errno.EINVAL.intValue()) {
            throw new BadInputException("pipe-size " + requested + " refused by the kernel (EINVAL)" + maxSizeHint());
        }
        throw new NativeException(call, errno);
    }

    private static String maxSizeHint() {
        long max = maxSize();
        return max > 0 ? "; " + MAX_SIZE_FILE + " is " + max : "";
    }

    /** "65536" or "131072 (asked for 100000; the kernel rounds up to a power of two pages)". */
    public static String describe(int granted, int requested) {
        if (requested <= 0 || granted == requested) return Integer.toString(granted);
        return granted + " (asked for " + requested + "; the kernel rounds up to a power of two pages)";
    }
}
