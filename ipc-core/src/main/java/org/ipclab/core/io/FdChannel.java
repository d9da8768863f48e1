package org.ipclab.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channel;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import org.ipclab.core.NativeException;

/**
 * A byte channel that is one libc call per {@link #read}/{@link #write} on a descriptor the JDK
 * channel {@code owner} opened (and closes, in {@link #close}), the calls made through a raw route's
 * {@link FdCalls}. Blocking calls stay blocking, as in C: a receive that waits is one
 * {@code read}/{@code recv}.
 *
 * <p>Closing from another thread (how a {@link org.ipclab.core.internal.Deadline} ends a blocked
 * call) must wake the call first, since {@code close(2)} does not: a socket gets {@code shutdown(2)};
 * a pipe or FIFO we read gets one byte written into it through {@code /proc/self/fd/N}, and one we
 * write is drained the same way (the channel is being closed, its stream is void anyway). The
 * descriptor is closed only after the woken call has left the kernel, so its number cannot be
 * reused under a call still running.
 */
final class FdChannel implements RawChannel {
    // Linux's numbers (the same on x86-64 and aarch64).
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int MSG_DONTWAIT = 0x40;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int SHUT_RDWR = 2;
    static final short POLLIN = 0x1;
    static final short POLLOUT = 0x4;
    static final int O_RDONLY = 0;
    static final int O_WRONLY = 1;
    static final int O_NONBLOCK = 04000;
    static final int O_CLOEXEC = 02000000;
    static final int SOL_SOCKET = 1;
    static final int SO_RCVTIMEO = 20;
    static final int SO_SNDTIMEO = 21;

    private static final int BOUNCE_BYTES = 64 * 1024;
    private static final long WAKE_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** A pollfd (int fd, short events, short revents) at 0, a timeval (two longs) at 16. */
    private static final int SCRATCH_BYTES = 32;
    private static final int TIMEVAL = 16;

    private final IoRoute route;
    private final int fd;
    private final boolean socket;
    private final Channel owner;
    private final boolean ownsDescriptor;
    private final Supplier<FdCalls> newCalls;
    // One set of calls and scratch memory per direction: a reader and a writer may run at once.
    private final Direction reading;
    private final Direction writing;
    private final AtomicInteger readers = new AtomicInteger();
    private final AtomicInteger writers = new AtomicInteger();
    private volatile boolean closed;
    private ByteBuffer readBounce;
    private ByteBuffer writeBounce;

    /**
     * @param owner the JDK channel that opened {@code fd}; null when the caller keeps and closes it
     *              (a datagram server's socket outlives each channel): then {@link #close} neither wakes
     *              nor closes anything, and blocked receives must be bounded by {@link #setReceiveTimeout}
     */
    FdChannel(IoRoute route, int fd, boolean socket, Channel owner, Supplier<FdCalls> newCalls) {
        this.route = route;
        this.fd = fd;
        this.socket = socket;
        this.owner = owner;
        this.ownsDescriptor = owner != null;
        this.newCalls = newCalls;
        this.reading = new Direction(newCalls.get());
        this.writing = new Direction(newCalls.get());
    }

    /** One direction's calls, scratch memory and the base address of the direct buffer it saw last. */
    private static final class Direction {
        final FdCalls calls;
        final ByteBuffer scratch = ByteBuffer.allocateDirect(SCRATCH_BYTES).order(ByteOrder.nativeOrder());
        final long scratchAddress;
        // StreamChannel uses the same buffer every time: its address is looked up once.
        ByteBuffer buffer;
        long base;

        Direction(FdCalls calls) {
            this.calls = calls;
            this.scratchAddress = calls.address(scratch);
        }

        long addressOf(ByteBuffer direct) {
            if (direct != buffer) {
                base = calls.address(direct);
                buffer = direct;
            }
            return base + direct.position();
        }
    }

    @Override
    public void setReceiveTimeout(int millis) throws IOException {
        setTimeout(reading, SO_RCVTIMEO, "setsockopt(SO_RCVTIMEO)", millis);
    }

    @Override
    public void setSendTimeout(int millis) throws IOException {
        setTimeout(writing, SO_SNDTIMEO, "setsockopt(SO_SNDTIMEO)", millis);
    }

    private void setTimeout(Direction d, int option, String call, int millis) throws IOException {
        if (!socket) throw new UnsupportedOperationException(call + " is for sockets");
        d.scratch.putLong(TIMEVAL, millis / 1000);
        d.scratch.putLong(TIMEVAL + 8, (millis % 1000) * 1000L);
        if (d.calls.setsockopt(fd, SOL_SOCKET, option, d.scratchAddress + TIMEVAL, 16) < 0) {
            throw failed(call, d.calls.errno());
        }
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
        long n = readAt(reading.addressOf(dst), dst.remaining(), now);
        if (n > 0) dst.position(dst.position() + (int) n);
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
        FdCalls calls = reading.calls;
        enter(readers);
        try {
            while (true) {
                if (now && !socket && !ready(reading, POLLIN)) return 0;
                long n = socket
                        ? calls.recv(fd, address, length, now ? MSG_DONTWAIT : 0)
                        : calls.read(fd, address, length);
                if (closed) throw new AsynchronousCloseException();
                if (n > 0) return n;
                if (n == 0) return -1;
                int errno = calls.errno();
                if (errno == EINTR) continue;
                if (errno == EAGAIN) return 0; // nothing there (now), or an SO_RCVTIMEO slice ended
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
        long n = writeAt(writing.addressOf(src), src.remaining(), now);
        src.position(src.position() + (int) n);
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
        FdCalls calls = writing.calls;
        enter(writers);
        try {
            while (true) {
                if (now && !socket && !ready(writing, POLLOUT)) return 0;
                long n = socket
                        ? calls.send(fd, address, length, MSG_NOSIGNAL | (now ? MSG_DONTWAIT : 0))
                        : calls.write(fd, address, length);
                if (closed) throw new AsynchronousCloseException();
                if (n >= 0) return n;
                int errno = calls.errno();
                if (errno == EINTR) continue;
                // Nothing fits (now), or an SO_SNDTIMEO slice ended with nothing sent.
                if (errno == EAGAIN && (now || socket)) return 0;
                throw failed(socket ? "send" : "write", errno);
            }
        } finally {
            writers.decrementAndGet();
        }
    }

    /** poll(2) with timeout 0: whether a pipe call would go through without waiting. */
    private boolean ready(Direction d, short events) throws IOException {
        d.scratch.putInt(0, fd).putShort(4, events).putShort(6, (short) 0);
        int r = d.calls.poll(d.scratchAddress, 1, 0);
        if (r < 0) {
            int errno = d.calls.errno();
            if (errno == EINTR) return false;
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
        FdCalls calls = newCalls.get(); // the reader's and writer's may be in use
        long giveUp = System.nanoTime() + CLOSE_WAIT_NANOS;
        while ((readers.get() > 0 || writers.get() > 0) && System.nanoTime() - giveUp < 0) {
            wake(calls);
            LockSupport.parkNanos(WAKE_RETRY_NANOS);
        }
        owner.close();
    }

    /** Makes a blocked read or write return (see the class comment); best effort, close() gives up in time. */
    private void wake(FdCalls calls) {
        if (socket) {
            calls.shutdown(fd, SHUT_RDWR);
            return;
        }
        if (readers.get() > 0) poke(calls, O_WRONLY);
        if (writers.get() > 0) poke(calls, O_RDONLY);
    }

    /** Opens our pipe again the other way round, without blocking, and writes one byte or drains it. */
    private void poke(FdCalls calls, int direction) {
        int other = calls.open("/proc/self/fd/" + fd, direction | O_NONBLOCK | O_CLOEXEC);
        if (other < 0) return;
        try {
            ByteBuffer buf = ByteBuffer.allocateDirect(direction == O_WRONLY ? 1 : BOUNCE_BYTES);
            long address = calls.address(buf);
            if (direction == O_WRONLY) {
                calls.write(other, address, 1);
            } else {
                calls.read(other, address, BOUNCE_BYTES);
            }
        } finally {
            calls.close(other);
        }
    }

    // ---------------------------------------------------------------- errors

    /** Worded like the JDK's ("Broken pipe", "Connection reset by peer"), which IoErrors recognises. */
    private static IOException failed(String call, int errno) {
        return new IOException(call + " failed: " + NativeException.describe(errno));
    }

    @Override
    public String toString() {
        return route.label() + " fd " + fd + (socket ? " (socket)" : " (pipe)");
    }
}
