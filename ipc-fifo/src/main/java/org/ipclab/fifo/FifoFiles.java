package org.ipclab.fifo;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

import jnr.constants.platform.Errno;
import jnr.constants.platform.OpenFlags;
import jnr.posix.LibC;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

import org.ipclab.core.BadInputException;
import org.ipclab.core.IpcException;
import org.ipclab.core.IpcTimeoutException;
import org.ipclab.core.Names;
import org.ipclab.core.NativeException;

/**
 * Creating, checking and opening FIFOs without ever blocking forever.
 *
 * <p>{@code open(2)} on a FIFO blocks until the other direction is opened too: a reader waits for a
 * writer and a writer for a reader. Both sides therefore open the two FIFOs in the same order
 * (to-server first, then to-client), so neither waits for an open the other has not reached. The
 * blocking open runs on a helper thread; if no partner comes in time, we open the FIFO
 * {@code O_RDWR} ourselves — that open never blocks on Linux and counts as the missing partner — so
 * the helper's open returns, we close it and report a timeout.
 */
public final class FifoFiles {
    static final int S_IFMT = 0170000;
    static final int S_IFIFO = 0010000;

    private FifoFiles() {
    }

    static POSIX posix() {
        return Holder.POSIX;
    }

    private static final class Holder {
        static final POSIX POSIX = POSIXFactory.getNativePOSIX();
    }

    /**
     * Creates a FIFO with mode exactly 0600; refuses any existing file; errors name the path and errno.
     *
     * <p>mkfifo honours the umask, and a chmod by path afterwards could be redirected (the name
     * swapped for a link in a directory others can write). So the FIFO is made inside a fresh
     * 0700 directory of ours next to its final place, its mode set through a file descriptor
     * ({@code O_NOFOLLOW}, {@code fchmod}), and only then given its final name with {@code link(2)},
     * which fails rather than replace anything. Nobody sees it with other permissions.
     */
    static void create(Path fifo) throws IOException {
        refuseExisting(fifo);
        POSIX posix = posix();
        LibC libc = posix.libc(); // the raw calls: errno, no exceptions
        Path dir = fifo.toAbsolutePath().getParent();
        Path staging = stagingDirectory(dir);
        Path made = staging.resolve(Names.random(8)); // unguessable even if the directory were renamed away
        try {
            if (posix.mkfifo(made.toString(), 0600) != 0) throw new NativeException("mkfifo(" + made + ", 0600)", posix.errno());
            int fd = libc.open(made.toString(), O_RDWR | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC, 0);
            if (fd < 0) throw new NativeException("open(" + made + ", O_RDWR|O_NOFOLLOW)", posix.errno());
            try {
                jnr.posix.FileStat st = posix.fstat(fd);
                if ((st.mode() & S_IFMT) != S_IFIFO || st.uid() != posix.geteuid()) {
                    throw new IpcException("fifo: " + made + " is not the FIFO we just made; refusing it");
                }
                if (libc.fchmod(fd, 0600) != 0) throw new NativeException("fchmod(" + made + ", 0600)", posix.errno());
            } finally {
                posix.close(fd);
            }
            if (libc.link(made.toString(), fifo.toString()) != 0) {
                int errno = posix.errno();
                if (errno == Errno.EEXIST.intValue()) refuseExisting(fifo); // a race with someone else
                throw new NativeException("link(" + made + ", " + fifo + ")", errno);
            }
        } finally {
            libc.unlink(made.toString());
            libc.rmdir(staging.toString());
        }
    }

    private static final int O_RDWR = OpenFlags.O_RDWR.intValue();
    private static final int O_NONBLOCK = OpenFlags.O_NONBLOCK.intValue();
    private static final int O_NOFOLLOW = OpenFlags.O_NOFOLLOW.intValue();
    private static final int O_CLOEXEC = OpenFlags.O_CLOEXEC.intValue();

    /** A fresh owner-only directory {@code ipclab-<pid>-mkfifo-<rand>} in {@code dir}, with the errors a user can fix. */
    private static Path stagingDirectory(Path dir) throws IOException {
        org.ipclab.core.FileSweeper.removeOwnStaleStaging(dir); // what a crash of ours left here before
        POSIX posix = posix();
        for (int attempt = 0; ; attempt++) {
            Path staging = dir.resolve(Names.unique("mkfifo"));
            if (posix.libc().mkdir(staging.toString(), 0700) == 0) return staging;
            int errno = posix.errno();
            if (errno == Errno.EEXIST.intValue() && attempt < 10) continue;
            if (errno == Errno.EACCES.intValue() || errno == Errno.EPERM.intValue() || errno == Errno.EROFS.intValue()) {
                throw new BadInputException("fifo: cannot create a FIFO in " + dir + ": " + NativeException.describe(errno)
                        + " (choose a directory you can write, or leave --path out for a private one)");
            }
            if (errno == Errno.ENOENT.intValue() || errno == Errno.ENOTDIR.intValue()) {
                throw new BadInputException("fifo: directory " + dir + " does not exist: " + NativeException.describe(errno));
            }
            throw new NativeException("mkdir(" + staging + ", 0700)", errno);
        }
    }

    /** A one-line refusal when something already has this name: a regular file, a directory, a FIFO (ours or foreign). */
    static void refuseExisting(Path fifo) throws IOException {
        if (!Files.exists(fifo, LinkOption.NOFOLLOW_LINKS)) return;
        int mode = mode(fifo);
        int uid = (Integer) Files.getAttribute(fifo, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if ((mode & S_IFMT) == S_IFIFO) {
            String whose = uid == posix().getuid() ? "owned by us" : "owned by uid " + uid + ", not us";
            throw new BadInputException("fifo: " + fifo + " already exists (a FIFO " + whose + "); another ipc serve may be using "
                    + fifo.getParent() + ": stop it, or remove a stale one with `ipc clean`");
        }
        throw new BadInputException("fifo: " + fifo + " already exists and is " + kind(mode) + ", not a FIFO; refusing to touch it");
    }

    /** Checks that {@code fifo} is a FIFO (not a symlink to one) owned by us, for the connecting side. */
    static void checkOurs(Path fifo) throws IOException {
        int mode = mode(fifo);
        if ((mode & S_IFMT) != S_IFIFO) {
            throw new BadInputException("fifo: " + fifo + " is " + kind(mode) + ", not a FIFO");
        }
        int uid = (Integer) Files.getAttribute(fifo, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (uid != posix().getuid()) {
            throw new BadInputException("fifo: " + fifo + " belongs to uid " + uid + ", not to us (uid " + posix().getuid() + "); refusing it");
        }
    }

    static boolean isFifo(Path p) {
        try {
            return (mode(p) & S_IFMT) == S_IFIFO;
        } catch (IOException e) {
            return false;
        }
    }

    static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }

    static String kind(int mode) {
        switch (mode & S_IFMT) {
            case 0100000: return "a regular file";
            case 0040000: return "a directory";
            case 0120000: return "a symbolic link";
            case 0140000: return "a socket";
            case 0020000: return "a character device";
            case 0060000: return "a block device";
            case S_IFIFO: return "a FIFO";
            default: return "a special file";
        }
    }

    /**
     * Opens one direction of a FIFO, waiting at most {@code timeout} for the partner.
     *
     * @param aborted checked when the open returns: true means the end was closed meanwhile
     */
    static FileChannel open(Path fifo, boolean forWrite, Duration timeout, BooleanSupplier aborted, String what) throws IOException {
        CompletableFuture<FileChannel> result = new CompletableFuture<>();
        Thread opener = new Thread(() -> {
            try {
                result.complete(FileChannel.open(fifo, forWrite ? StandardOpenOption.WRITE : StandardOpenOption.READ));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "ipclab-fifo-open");
        opener.setDaemon(true);
        opener.start();
        FileChannel ch;
        try {
            ch = result.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            release(fifo);
            result.thenAccept(FifoFiles::closeQuietly);
            throw new IpcTimeoutException(what + ": nobody opened the other end of " + fifo + ";", timeout);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof NoSuchFileException) throw new IpcException(what + ": " + fifo + " was removed while waiting");
            throw new IpcException(what + ": open(" + fifo + ") failed: " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            release(fifo);
            result.thenAccept(FifoFiles::closeQuietly);
            throw new IpcException(what + ": interrupted while waiting for the partner");
        }
        if (aborted.getAsBoolean()) {
            closeQuietly(ch);
            throw new IpcException(what + ": closed while waiting for the partner (peer gone?)");
        }
        return ch;
    }

    /** Wakes a thread blocked in open(2) on this FIFO: an O_RDWR open never blocks and counts as reader and writer. */
    @SuppressWarnings("try") // opened only to be counted by the kernel
    static void release(Path fifo) {
        try (FileChannel partner = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // nothing to do: the open itself woke the waiter
        } catch (IOException ignored) {
            // Already gone: then nobody can be waiting on it by name either.
        }
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // best effort
        }
    }
}
