package org.ipclab.core.io.ffm;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channel;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.ipclab.core.NativeException;
import org.ipclab.core.io.RawChannel;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A byte channel that is one libc call per {@link #read}/{@link #write} on a descriptor the JDK
 * channel {@code owner} opened (and closes, in {@link #close}). Blocking calls stay blocking, as in
 * C: a receive that waits is one {@code read}/{@code recv}.
 *
 * <p>Closing from another thread (how a {@link org.ipclab.core.internal.Deadline} ends a blocked
 * call) must wake the call first, since {@code close(2)} does not: a socket gets {@code shutdown(2)};
 * a pipe or FIFO we read gets one byte written into it through {@code /proc/self/fd/N}, and one we
 * write is drained the same way (the channel is being closed, its stream is void anyway). The
 * descriptor is closed only after the woken call has left the kernel, so its number cannot be
 * reused under a call still running.
 */
final class FdChannel implements RawChannel {
    private static final int BOUNCE_BYTES = 64 * 1024;
    private static final long WAKE_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final int fd;
    private final boolean socket;
    private final Channel owner;
    private final boolean ownsDescriptor;
    private final Arena arena = Arena.ofAuto();
    // One errno slot and one pollfd per direction: a reader and a writer may run at once.
    private final MemorySegment readErrno = Posix.errnoSlot(arena);
    private final MemorySegment writeErrno = Posix.errnoSlot(arena);
    private final MemorySegment readPoll = arena.allocate(Posix.POLLFD);
    private final MemorySegment writePoll = arena.allocate(Posix.POLLFD);
    private final MemorySegment timeval = arena.allocate(16, 8);
    private final MemorySegment sendTimeval = arena.allocate(16, 8);
    private final AtomicInteger readers = new AtomicInteger();
    private final AtomicInteger writers = new AtomicInteger();
    private volatile boolean closed;
    // Base addresses of the last direct buffers seen (StreamChannel uses the same two every time).
    private ByteBuffer readBuffer;
    private long readBase;
    private ByteBuffer writeBuffer;
    private long writeBase;
    private ByteBuffer readBounce;
    private ByteBuffer writeBounce;

    /**
     * @param owner the JDK channel that opened {@code fd}; null when the caller keeps and closes it
     *              (a datagram server's socket outlives each channel): then {@link #close} neither wakes
     *              nor closes anything, and blocked receives must be bounded by {@link #setReceiveTimeout}
     */
    FdChannel(int fd, boolean socket, Channel owner) {
        this.fd = fd;
        this.socket = socket;
        this.owner = owner;
        this.ownsDescriptor = owner != null;
    }

    @Override
    public void setReceiveTimeout(int millis) throws IOException {
        if (!socket) throw new UnsupportedOperationException("SO_RCVTIMEO is for sockets");
        timeval.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, millis / 1000);
        timeval.set(java.lang.foreign.ValueLayout.JAVA_LONG, 8, (millis % 1000) * 1000L);
        int r;
        try {
            r = (int) Posix.SETSOCKOPT.invokeExact(readErrno, fd, Posix.SOL_SOCKET, Posix.SO_RCVTIMEO, timeval, 16);
        } catch (Throwable t) {
            throw downcallFailed(t);
        }
        if (r < 0) throw failed("setsockopt(SO_RCVTIMEO)", Posix.errno(readErrno));
    }

    @Override
    public void setSendTimeout(int millis) throws IOException {
        if (!socket) throw new UnsupportedOperationException("SO_SNDTIMEO is for sockets");
        sendTimeval.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, millis / 1000);
        sendTimeval.set(java.lang.foreign.ValueLayout.JAVA_LONG, 8, (millis % 1000) * 1000L);
        int r;
        try {
            r = (int) Posix.SETSOCKOPT.invokeExact(writeErrno, fd, Posix.SOL_SOCKET, Posix.SO_SNDTIMEO, sendTimeval, 16);
        } catch (Throwable t) {
            throw downcallFailed(t);
        }
        if (r < 0) throw failed("setsockopt(SO_SNDTIMEO)", Posix.errno(writeErrno));
    }

    // ---------------------------------------------------------------- read

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return read(dst, false);
    }

    @Override
    public int readNow(ByteBuffer dst) throws IOException {
        return read(dst, true);
    }

    private int read(ByteBuffer dst, boolean now) throws IOException {
        if (!dst.hasRemaining()) return 0;
        if (!dst.isDirect()) return readBounced(dst, now);
        if (dst != readBuffer) {
            readBase = MemorySegment.ofBuffer(dst).address() - dst.position();
            readBuffer = dst;
        }
        int pos = dst.position();
        long n = readAt(readBase + pos, dst.remaining(), now);
        if (n > 0) dst.position(pos + (int) n);
        return (int) n;
    }

    private int readBounced(ByteBuffer dst, boolean now) throws IOException {
        if (readBounce == null) readBounce = ByteBuffer.allocateDirect(BOUNCE_BYTES);
        ByteBuffer b = readBounce.clear().limit(Math.min(BOUNCE_BYTES, dst.remaining()));
        int n = read(b, now);
        if (n > 0) dst.put(b.flip());
        return n;
    }

    /** Bytes read, -1 at end of stream; with {@code now}, 0 when nothing is there. */
    private long readAt(long address, int length, boolean now) throws IOException {
        enter(readers);
        try {
            while (true) {
                if (now && !socket && !ready(readPoll, Posix.POLLIN, readErrno)) return 0;
                long n;
                try {
                    n = socket
                            ? (long) Posix.RECV.invokeExact(readErrno, fd, address, (long) length, now ? Posix.MSG_DONTWAIT : 0)
                            : (long) Posix.READ.invokeExact(readErrno, fd, address, (long) length);
                } catch (Throwable t) {
                    throw downcallFailed(t);
                }
                if (closed) throw new AsynchronousCloseException();
                if (n > 0) return n;
                if (n == 0) return -1;
                int errno = Posix.errno(readErrno);
                if (errno == Posix.EINTR) continue;
                if (errno == Posix.EAGAIN) return 0; // nothing there (now), or an SO_RCVTIMEO slice ended
                throw failed(socket ? "recv" : "read", errno);
            }
        } finally {
            readers.decrementAndGet();
        }
    }

    // ---------------------------------------------------------------- write

    @Override
    public int write(ByteBuffer src) throws IOException {
        return write(src, false);
    }

    @Override
    public int writeNow(ByteBuffer src) throws IOException {
        return write(src, true);
    }

    private int write(ByteBuffer src, boolean now) throws IOException {
        if (!src.hasRemaining()) return 0;
        if (!src.isDirect()) return writeBounced(src, now);
        if (src != writeBuffer) {
            writeBase = MemorySegment.ofBuffer(src).address() - src.position();
            writeBuffer = src;
        }
        int pos = src.position();
        long n = writeAt(writeBase + pos, src.remaining(), now);
        src.position(pos + (int) n);
        return (int) n;
    }

    private int writeBounced(ByteBuffer src, boolean now) throws IOException {
        if (writeBounce == null) writeBounce = ByteBuffer.allocateDirect(BOUNCE_BYTES);
        int pos = src.position();
        int length = Math.min(BOUNCE_BYTES, src.remaining());
        ByteBuffer b = writeBounce.clear().put(0, src, pos, length).limit(length);
        int n = write(b, now);
        src.position(pos + n);
        return n;
    }

    private long writeAt(long address, int length, boolean now) throws IOException {
        enter(writers);
        try {
            while (true) {
                if (now && !socket && !ready(writePoll, Posix.POLLOUT, writeErrno)) return 0;
                long n;
                try {
                    n = socket
                            ? (long) Posix.SEND.invokeExact(writeErrno, fd, address, (long) length,
                                    Posix.MSG_NOSIGNAL | (now ? Posix.MSG_DONTWAIT : 0))
                            : (long) Posix.WRITE.invokeExact(writeErrno, fd, address, (long) length);
                } catch (Throwable t) {
                    throw downcallFailed(t);
                }
                if (closed) throw new AsynchronousCloseException();
                if (n >= 0) return n;
                int errno = Posix.errno(writeErrno);
                if (errno == Posix.EINTR) continue;
                // Nothing fits (now), or an SO_SNDTIMEO slice ended with nothing sent.
                if (errno == Posix.EAGAIN && (now || socket)) return 0;
                throw failed(socket ? "send" : "write", errno);
            }
        } finally {
            writers.decrementAndGet();
        }
    }

    /** poll(2) with timeout 0: whether a pipe call would go through without waiting. */
    private boolean ready(MemorySegment pollfd, short events, MemorySegment errnoSlot) throws IOException {
        pollfd.set(JAVA_INT, 0, fd);
        pollfd.set(JAVA_SHORT, 4, events);
        pollfd.set(JAVA_SHORT, 6, (short) 0);
        int r;
        try {
            r = (int) Posix.POLL.invokeExact(errnoSlot, pollfd, 1L, 0);
        } catch (Throwable t) {
            throw downcallFailed(t);
        }
        if (r < 0) {
            int errno = Posix.errno(errnoSlot);
            if (errno == Posix.EINTR) return false;
            throw failed("poll", errno);
        }
        return r > 0; // POLLHUP/POLLERR count: the call then reports end of stream or the error
    }

    // ---------------------------------------------------------------- close

    private void enter(AtomicInteger calls) throws ClosedChannelException {
        calls.incrementAndGet();
        if (closed) {
            calls.decrementAndGet();
            throw new ClosedChannelException();
        }
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    @Override
    public void close() throws IOException {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        if (!ownsDescriptor) return;
        long giveUp = System.nanoTime() + CLOSE_WAIT_NANOS;
        while ((readers.get() > 0 || writers.get() > 0) && System.nanoTime() - giveUp < 0) {
            wake();
            LockSupport.parkNanos(WAKE_RETRY_NANOS);
        }
        owner.close();
    }

    /** Makes a blocked read or write return (see the class comment). */
    private void wake() {
        try {
            if (socket) {
                int ignored = (int) Posix.SHUTDOWN.invokeExact(writeErrno, fd, Posix.SHUT_RDWR);
                return;
            }
            if (readers.get() > 0) poke(Posix.O_WRONLY);
            if (writers.get() > 0) poke(Posix.O_RDONLY);
        } catch (Throwable t) {
            // Waking is best effort; close() gives up waiting after CLOSE_WAIT_NANOS.
        }
    }

    /** Opens our pipe again the other way round, without blocking, and writes one byte or drains it. */
    private void poke(int direction) throws Throwable {
        try (Arena once = Arena.ofConfined()) {
            MemorySegment path = once.allocateFrom("/proc/self/fd/" + fd);
            MemorySegment errno = Posix.errnoSlot(once);
            int other = (int) Posix.OPEN.invokeExact(errno, path, direction | Posix.O_NONBLOCK | Posix.O_CLOEXEC, 0);
            if (other < 0) return;
            try {
                MemorySegment buf = once.allocate(JAVA_BYTE, BOUNCE_BYTES);
                if (direction == Posix.O_WRONLY) {
                    long ignored = (long) Posix.WRITE.invokeExact(errno, other, buf.address(), 1L);
                } else {
                    long ignored = (long) Posix.READ.invokeExact(errno, other, buf.address(), (long) BOUNCE_BYTES);
                }
            } finally {
                int ignored = (int) Posix.CLOSE.invokeExact(errno, other);
            }
        }
    }

    // ---------------------------------------------------------------- errors

    /** Worded like the JDK's ("Broken pipe", "Connection reset by peer"), which IoErrors recognises. */
    private static IOException failed(String call, int errno) {
        return new IOException(call + " failed: " + NativeException.describe(errno));
    }

    private static IOException downcallFailed(Throwable t) {
        if (t instanceof RuntimeException r) throw r;
        if (t instanceof Error e) throw e;
        return new IOException("downcall failed", t);
    }

    @Override
    public String toString() {
        return "ffm fd " + fd + (socket ? " (socket)" : " (pipe)");
    }
}
