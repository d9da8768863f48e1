package org.ipclab.pipe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import jnr.constants.platform.Errno;
import jnr.ffi.LibraryLoader;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

import org.ipclab.core.PipeCapacity;
import org.ipclab.core.NativeException;

/**
 * The pipe experiments behind {@code ipc demo pipe}, as plain methods that return what they
 * measured, so tests can check the facts the demo prints. Everything here uses raw descriptors
 * from {@code pipe(2)} through JNR-POSIX, as a C program would.
 */
public final class PipeLab {
    static final int F_GETFL = 3;
    static final int F_SETFL = 4;
    static final int O_NONBLOCK = 04000;
    static final int FD_CLOEXEC_FLAG = 02000000; // O_CLOEXEC as shown in /proc/<pid>/fdinfo flags
    /** POSIX guarantees writes of at most PIPE_BUF bytes to a pipe are atomic; Linux: 4096. */
    public static final int PIPE_BUF = 4096;

    /** fcntl with an int argument: F_GETFL/F_SETFL (jnr-posix's enum route is clumsy for flags). */
    public interface LibC {
        int fcntl(int fd, int cmd, int arg);
    }

    private static final class Holder {
        static final POSIX POSIX = POSIXFactory.getNativePOSIX();
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    }

    private PipeLab() {
    }

    public static POSIX posix() {
        return Holder.POSIX;
    }

    /** pipe(2): {read end, write end}. */
    public static int[] pipe() throws NativeException {
        int[] fds = new int[2];
        if (posix().pipe(fds) != 0) throw new NativeException("pipe()", posix().errno());
        return fds;
    }

    public static void close(int... fds) {
        for (int fd : fds) {
            if (fd >= 0) posix().close(fd);
        }
    }

    public static void setNonBlocking(int fd, boolean on) throws NativeException {
        int flags = Holder.LIBC.fcntl(fd, F_GETFL, 0);
        if (flags < 0) throw new NativeException("fcntl(F_GETFL)", posix().errno());
        int want = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
        if (Holder.LIBC.fcntl(fd, F_SETFL, want) < 0) throw new NativeException("fcntl(F_SETFL)", posix().errno());
    }

    /**
     * Writes into a pipe that nobody reads until the next write would block (O_NONBLOCK → EAGAIN)
     * and returns how many bytes fit: the pipe's capacity. Leaves the pipe full.
     */
    public static long fillUntilFull(int writeFd) throws NativeException {
        setNonBlocking(writeFd, true);
        try {
            byte[] page = new byte[PIPE_BUF];
            long total = 0;
            // Writes of at most PIPE_BUF bytes are all-or-nothing; then single bytes for any odd remainder.
            for (int chunk : new int[] {PIPE_BUF, 1}) {
                while (true) {
                    long n = posix().write(writeFd, page, (long) chunk);
                    if (n > 0) {
                        total += n;
                        continue;
                    }
                    int errno = posix().errno();
                    if (errno == Errno.EAGAIN.intValue() || errno == Errno.EWOULDBLOCK.intValue()) break;
                    throw new NativeException("write(" + writeFd + ")", errno);
                }
            }
            return total;
        } finally {
            setNonBlocking(writeFd, false);
        }
    }

    /** Capacity measured on a fresh pipe with the given F_SETPIPE_SZ (0 = kernel default): {measured, F_GETPIPE_SZ}. */
    public static long[] measureCapacity(int pipeSize) throws IOException {
        int[] fds = pipe();
        try {
            if (pipeSize > 0) PipeCapacity.set(fds[1], pipeSize);
            long reported = PipeCapacity.get(fds[1]);
            long measured = fillUntilFull(fds[1]);
            return new long[] {measured, reported};
        } finally {
            close(fds);
        }
    }

    /** What {@link #atomicity} found. */
    public record Tearing(int writers, int recordSize, long records, long tornRecords, long bytes) {
    }

    /**
     * Several writers (threads sharing one write descriptor, exactly as forked processes share an
     * inherited one: the guarantee is per {@code write(2)} call) each write {@code perWriter}
     * records of {@code recordSize} bytes filled with their own id; one reader cuts the stream into
     * records again and counts those that contain bytes of more than one writer.
     */
    public static Tearing atomicity(int writers, int recordSize, int perWriter) throws Exception {
        int[] fds = pipe();
        int readFd = fds[0];
        int writeFd = fds[1];
        AtomicLong torn = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        List<Throwable> failures = new ArrayList<>();
        Thread reader = new Thread(() -> {
            // A reader that takes a page at a time frees room gradually, as a slow consumer does:
            // a large write then goes in piece by piece, and other writers can get in between.
            byte[] buf = new byte[PIPE_BUF];
            byte[] record = new byte[recordSize];
            int filled = 0;
            try {
                while (true) {
                    int n = (int) posix().read(readFd, buf, (long) buf.length);
                    if (n == 0) break;
                    if (n < 0) throw new NativeException("read", posix().errno());
                    bytes.addAndGet(n);
                    int off = 0;
                    while (off < n) {
                        int take = Math.min(n - off, recordSize - filled);
                        System.arraycopy(buf, off, record, filled, take);
                        filled += take;
                        off += take;
                        if (filled == recordSize) {
                            if (!uniform(record)) torn.incrementAndGet();
                            filled = 0;
                        }
                    }
                }
            } catch (Throwable t) {
                synchronized (failures) {
                    failures.add(t);
                }
            }
        }, "pipe-lab-reader");
        reader.start();
        List<Thread> ws = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            byte id = (byte) (w + 1);
            Thread t = new Thread(() -> {
                byte[] record = new byte[recordSize];
                java.util.Arrays.fill(record, id);
                try {
                    for (int i = 0; i < perWriter; i++) {
                        long n = posix().write(writeFd, record, (long) recordSize);
                        if (n != recordSize) throw new NativeException("write returned " + n + ", errno", posix().errno());
                    }
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            }, "pipe-lab-writer-" + id);
            ws.add(t);
            t.start();
        }
        for (Thread t : ws) t.join();
        close(writeFd); // the last writer is gone: the reader sees end of file
        reader.join();
        close(readFd);
        if (!failures.isEmpty()) {
            Throwable f = failures.get(0);
            throw f instanceof Exception ? (Exception) f : new RuntimeException(f);
        }
        return new Tearing(writers, recordSize, (long) writers * perWriter, torn.get(), bytes.get());
    }

    private static boolean uniform(byte[] record) {
        byte first = record[0];
        for (byte b : record) {
            if (b != first) return false;
        }
        return true;
    }

    /** Outcome of the end-of-file experiment. */
    public record EndOfFile(String firstRead, int errnoWhileAWriterRemains, long readAfterLastWriterClosed) {
    }

    /**
     * Writes "hello", keeps a second write descriptor (dup), closes the first: a non-blocking read
     * gets the data, then EAGAIN (a writer still exists, more could come), and only after the last
     * writer closes does read return 0 — end of file.
     */
    public static EndOfFile endOfFile() throws NativeException {
        int[] fds = pipe();
        int second = posix().dup(fds[1]);
        try {
            byte[] hello = "hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            posix().write(fds[1], hello, (long) hello.length);
            close(fds[1]);
            setNonBlocking(fds[0], true);
            byte[] buf = new byte[64];
            long n = posix().read(fds[0], buf, (long) buf.length);
            String first = n > 0 ? new String(buf, 0, (int) n, java.nio.charset.StandardCharsets.US_ASCII) : "";
            long again = posix().read(fds[0], buf, (long) buf.length);
            int errno = again < 0 ? posix().errno() : 0;
            close(second);
            second = -1;
            long eof = posix().read(fds[0], buf, (long) buf.length);
            return new EndOfFile(first, errno, eof);
        } finally {
            close(fds[0], second);
        }
    }

    /** Closes the read end, then writes: the kernel answers EPIPE (and sends SIGPIPE, which the JVM does not die of). */
    public static int writeWithoutReader() throws NativeException {
        int[] fds = pipe();
        try {
            close(fds[0]);
            long n = posix().write(fds[1], new byte[] {42}, 1L);
            return n < 0 ? posix().errno() : 0;
        } finally {
            close(fds[1]);
        }
    }

    /** How this process treats SIGPIPE, from /proc/self/status: "ignored", "caught by a handler", "blocked" or "default (terminate)". */
    public static String sigpipeDisposition() {
        long bit = 1L << (13 - 1);
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:") && (Long.parseLong(line.substring(7).trim(), 16) & bit) != 0) return "ignored (SIG_IGN)";
                if (line.startsWith("SigCgt:") && (Long.parseLong(line.substring(7).trim(), 16) & bit) != 0) return "caught by a handler the JVM installed";
            }
        } catch (IOException | NumberFormatException e) {
            return "unknown (" + e.getMessage() + ")";
        }
        return "default (the process would be terminated)";
    }

    /** "r", "w" or "rw" from /proc/<pid>/fdinfo/<fd>, plus " cloexec" when set; "" if unreadable. */
    public static String accessMode(long pid, int fd) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "fdinfo", Integer.toString(fd)))) {
                if (line.startsWith("flags:")) {
                    int flags = Integer.parseInt(line.substring(6).trim(), 8);
                    String mode = (flags & 3) == 0 ? "r" : (flags & 3) == 1 ? "w" : "rw";
                    return mode + ((flags & FD_CLOEXEC_FLAG) != 0 ? " cloexec" : "");
                }
            }
        } catch (IOException | NumberFormatException e) {
            return "";
        }
        return "";
    }

    /** Our open descriptors (from /proc/self/fd), lowest first. */
    public static List<Integer> openDescriptors() throws IOException {
        List<Integer> fds = new ArrayList<>();
        try (var s = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path p : s) fds.add(Integer.parseInt(p.getFileName().toString()));
        }
        fds.sort(null);
        return fds;
    }
}
