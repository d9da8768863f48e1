package org.ipclab.fifo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jnr.constants.platform.Errno;
import jnr.constants.platform.OpenFlags;
import jnr.posix.POSIX;

import org.ipclab.core.PipeCapacity;
import org.ipclab.core.NativeException;

/**
 * The FIFO experiments behind {@code ipc demo fifo}, as methods that return what they saw, so
 * tests can check the facts the demo prints. Raw descriptors through JNR-POSIX, as in C.
 */
public final class FifoLab {
    private FifoLab() {
    }

    private static POSIX posix() {
        return FifoFiles.posix();
    }

    /** {@code ls -l} of the path if ls exists, else the same line built from stat. */
    public static String listing(Path p) throws IOException, InterruptedException {
        for (String ls : List.of("/bin/ls", "/usr/bin/ls")) {
            if (Files.isExecutable(Path.of(ls))) {
                Process proc = new ProcessBuilder(ls, "-l", p.toString()).redirectErrorStream(true).start();
                String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                proc.waitFor(10, TimeUnit.SECONDS);
                return out;
            }
        }
        int mode = FifoFiles.mode(p);
        return ((mode & FifoFiles.S_IFMT) == FifoFiles.S_IFIFO ? "p" : "?")
                + java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p)) + " " + Files.size(p) + " " + p;
    }

    /** Result of opening without a partner in non-blocking mode: errno of the write-only open (ENXIO), and whether the read-only open succeeded. */
    public record NonBlockingOpens(int writeOpenErrno, boolean readOpenSucceeded, long readWithoutWriter) {
    }

    public static NonBlockingOpens nonBlockingOpens(Path fifo) {
        int w = posix().open(fifo.toString(), OpenFlags.O_WRONLY.intValue() | OpenFlags.O_NONBLOCK.intValue(), 0);
        int writeErrno = w < 0 ? posix().errno() : 0;
        if (w >= 0) posix().close(w);
        int r = posix().open(fifo.toString(), OpenFlags.O_RDONLY.intValue() | OpenFlags.O_NONBLOCK.intValue(), 0);
        long read = Long.MIN_VALUE;
        if (r >= 0) {
            read = posix().read(r, new byte[16], 16L);
            posix().close(r);
        }
        return new NonBlockingOpens(writeErrno, r >= 0, read);
    }

    /** What the blocking-open experiment saw. */
    public record Rendezvous(long openMillis, String received, long partnerPid) {
    }

    /**
     * Opens the FIFO for reading (a blocking open) while an unrelated program — {@code /bin/sh},
     * which knows only the path — waits {@code delayMillis} and then writes a line into it.
     */
    public static Rendezvous blockingOpen(Path fifo, long delayMillis) throws IOException, InterruptedException {
        String script = "sleep " + (delayMillis / 1000.0) + "; echo \"hello from pid $$\" > \"$1\"";
        Process sh = new ProcessBuilder("/bin/sh", "-c", script, "sh", fifo.toString())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long t0 = System.nanoTime();
            // A plain blocking open, bounded like every ipclab open (see FifoFiles.open).
            try (java.nio.channels.FileChannel in = FifoFiles.open(fifo, false, java.time.Duration.ofSeconds(10), () -> false, "demo open")) {
                long ms = (System.nanoTime() - t0) / 1_000_000;
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(256);
                while (in.read(buf) > 0) {
                    // until the shell closes: EOF
                }
                return new Rendezvous(ms, new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).trim(), sh.pid());
            }
        } finally {
            if (!sh.waitFor(10, TimeUnit.SECONDS)) sh.destroyForcibly();
        }
    }

    /** {measured capacity, F_GETPIPE_SZ, size stat reports while full}: fill a FIFO opened O_RDWR|O_NONBLOCK until EAGAIN. */
    public static long[] capacity(Path fifo, int pipeSize) throws IOException {
        int fd = posix().open(fifo.toString(), OpenFlags.O_RDWR.intValue() | OpenFlags.O_NONBLOCK.intValue(), 0);
        if (fd < 0) throw new NativeException("open(" + fifo + ", O_RDWR|O_NONBLOCK)", posix().errno());
        try {
            if (pipeSize > 0) PipeCapacity.set(fd, pipeSize);
            long reported = PipeCapacity.get(fd);
            byte[] page = new byte[4096];
            long total = 0;
            for (int chunk : new int[] {4096, 1}) {
                while (true) {
                    long n = posix().write(fd, page, (long) chunk);
                    if (n > 0) {
                        total += n;
                        continue;
                    }
                    int errno = posix().errno();
                    if (errno == Errno.EAGAIN.intValue()) break;
                    throw new NativeException("write(" + fifo + ")", errno);
                }
            }
            long sizeOnDisk = Files.size(fifo);
            return new long[] {total, reported, sizeOnDisk};
        } finally {
            posix().close(fd);
        }
    }

    /** Opens both ends (O_RDWR trick for the reader), unlinks the name, and shows the pipe still carries data: the bytes read back. */
    public static String unlinkedStillWorks(Path fifo) throws IOException {
        int r = posix().open(fifo.toString(), OpenFlags.O_RDONLY.intValue() | OpenFlags.O_NONBLOCK.intValue(), 0);
        if (r < 0) throw new NativeException("open(" + fifo + ", O_RDONLY|O_NONBLOCK)", posix().errno());
        int w = posix().open(fifo.toString(), OpenFlags.O_WRONLY.intValue() | OpenFlags.O_NONBLOCK.intValue(), 0);
        if (w < 0) {
            int errno = posix().errno();
            posix().close(r);
            throw new NativeException("open(" + fifo + ", O_WRONLY|O_NONBLOCK)", errno);
        }
        try {
            Files.delete(fifo);
            byte[] msg = "still here".getBytes(StandardCharsets.US_ASCII);
            posix().write(w, msg, (long) msg.length);
            byte[] buf = new byte[64];
            long n = posix().read(r, buf, (long) buf.length);
            return n > 0 ? new String(buf, 0, (int) n, StandardCharsets.US_ASCII) : "";
        } finally {
            posix().close(w);
            posix().close(r);
        }
    }
}
