package org.ipclab.mqueue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

import jnr.ffi.Pointer;

import org.ipclab.core.Channel;
import org.ipclab.core.IpcException;
import org.ipclab.core.IpcTimeoutException;
import org.ipclab.core.MessageTooLargeException;
import org.ipclab.core.NativeException;
import org.ipclab.core.PeerLiveness;
import org.ipclab.core.PeerGoneException;
import org.ipclab.core.ProtocolException;

/**
 * A channel over two POSIX message queues, one per direction. The kernel keeps the message
 * boundaries, so there is no framing: one {@code mq_timedsend} per message, one
 * {@code mq_timedreceive} per message, each a copy into or out of the kernel.
 *
 * <p>Two priorities are reserved, so control travels in the same queue and in the right order:
 * {@value #PRIO_ATTACH} (the highest) for the peer's "attached" message, which is the first one in
 * its queue anyway, and {@value #PRIO_END} (the lowest) for end-of-stream, which the kernel hands
 * out only after every data message (data uses 1 .. 32766). A queue has no end-of-file of its own.
 *
 * <p>Every wait is cut into slices of {@link #SLICE_MS} ms to check the peer still runs.
 * Hot path: a direct buffer is passed to the kernel by address, no copy in Java, no allocation.
 */
final class MqChannel implements Channel {
    /**
     * How long one blocking call waits before the peer\'s liveness is checked again: a queue has no
     * end-of-file, so a receive from a dead peer would otherwise just wait.
     */
    static final long SLICE_MS = 100;
    static final String MECHANISM = "mqueue";
    static final int PRIO_END = 0;
    static final int PRIO_ATTACH = PosixQueue.PRIO_MAX - 1;

    private final PosixQueue out;
    private final PosixQueue in;
    private final int msgsize;
    private final int priority;
    private volatile PeerLiveness watch;

    private final ByteBuffer sendScratch;
    private final long sendScratchAddress;
    private final Pointer sendTimeout = Native.allocate(16);
    private ByteBuffer lastSend;
    private long lastSendBase;

    private final ByteBuffer receiveScratch;
    private final long receiveScratchAddress;
    private final Pointer receiveTimeout = Native.allocate(16);
    private final Pointer receivedPriority = Native.allocate(8);
    private ByteBuffer lastReceive;
    private long lastReceiveBase;

    private volatile boolean endSeen;
    private volatile boolean closed;
    private AutoCloseable afterClose;

    MqChannel(PosixQueue out, PosixQueue in, int msgsize, int priority, PeerLiveness watch) {
        this.out = out;
        this.in = in;
        this.msgsize = msgsize;
        this.priority = priority;
        this.watch = watch;
        this.sendScratch = ByteBuffer.allocateDirect(msgsize);
        this.sendScratchAddress = Native.baseAddress(sendScratch);
        this.receiveScratch = ByteBuffer.allocateDirect(msgsize);
        this.receiveScratchAddress = Native.baseAddress(receiveScratch);
    }

    String sendQueueName() {
        return out.name;
    }

    // ---------------------------------------------------------------- send

    @Override
    public void send(ByteBuffer message, Duration timeout) throws IOException {
        int length = message.remaining();
        if (length > msgsize) throw tooLarge(length);
        long address = sendAddress(message, length);
        long end = System.nanoTime() + nanos(timeout);
        while (true) {
            ensureOpen();
            long rc = timedSend(address, length, priority, sliceMillis(end));
            if (rc == 0) return;
            int errno = Native.errno();
            if (errno == Native.EINTR) continue;
            if (errno != Native.ETIMEDOUT) throw failure("mq_timedsend", out, errno);
            watch.check(MECHANISM, "send to " + out.name);
            if (System.nanoTime() - end >= 0) {
                throw new IpcTimeoutException(MECHANISM + " send to " + out.name + " (queue full: "
                        + currentMessages(out) + " messages wait for the peer to receive)", timeout);
            }
        }
    }

    @Override
    public boolean trySend(ByteBuffer message) throws IOException {
        int length = message.remaining();
        if (length > msgsize) throw tooLarge(length);
        ensureOpen();
        long address = sendAddress(message, length);
        zero(sendTimeout);
        if (Native.libc().mq_timedsend(out.mqd, address, length, priority, sendTimeout) == 0) return true;
        int errno = Native.errno();
        if (errno == Native.ETIMEDOUT || errno == Native.EINTR) return false;
        throw failure("mq_timedsend", out, errno);
    }

    /** Sends a control message at one of the reserved priorities. */
    void sendControl(int prio, ByteBuffer payload, Duration timeout) throws IOException {
        int length = payload.remaining();
        long address = sendAddress(payload, length);
        long end = System.nanoTime() + nanos(timeout);
        while (true) {
            ensureOpen();
            if (timedSend(address, length, prio, sliceMillis(end)) == 0) return;
            int errno = Native.errno();
            if (errno == Native.EINTR) continue;
            if (errno != Native.ETIMEDOUT) throw failure("mq_timedsend", out, errno);
            watch.check(MECHANISM, "send to " + out.name);
            if (System.nanoTime() - end >= 0) throw new IpcTimeoutException(MECHANISM + " send to " + out.name, timeout);
        }
    }

    private long timedSend(long address, int length, int prio, long waitMillis) {
        absolute(sendTimeout, waitMillis);
        return Native.libc().mq_timedsend(out.mqd, address, length, prio, sendTimeout);
    }

    private long sendAddress(ByteBuffer message, int length) {
        if (message.isDirect()) {
            if (message != lastSend) {
                lastSendBase = Native.baseAddress(message);
                lastSend = message;
            }
            return lastSendBase + message.position();
        }
        sendScratch.clear();
        sendScratch.put(0, message, message.position(), message.remaining()).position(message.remaining());
        return sendScratchAddress;
    }

    // ---------------------------------------------------------------- receive

    @Override
    public int receive(ByteBuffer into, Duration timeout) throws IOException {
        long end = System.nanoTime() + nanos(timeout);
        while (true) {
            int n = receiveOnce(into, sliceMillis(end));
            if (n != NO_MESSAGE) return n;
            watch.check(MECHANISM, "receive from " + in.name);
            if (System.nanoTime() - end >= 0) throw new IpcTimeoutException(MECHANISM + " receive from " + in.name, timeout);
        }
    }

    @Override
    public int tryReceive(ByteBuffer into) throws IOException {
        return receiveOnce(into, -1);
    }

    /** One {@code mq_timedreceive}: a data message's length, END_OF_STREAM, or NO_MESSAGE when the wait ran out. */
    private int receiveOnce(ByteBuffer into, long waitMillis) throws IOException {
        if (endSeen) return END_OF_STREAM;
        int room = into.remaining();
        boolean direct = into.isDirect() && room >= msgsize;
        long address;
        if (direct) {
            if (into != lastReceive) {
                lastReceiveBase = Native.baseAddress(into);
                lastReceive = into;
            }
            address = lastReceiveBase + into.position();
        } else {
            address = receiveScratchAddress;
        }
        while (true) {
            ensureOpen();
            if (waitMillis < 0) zero(receiveTimeout);
            else absolute(receiveTimeout, waitMillis);
            long n = Native.libc().mq_timedreceive(in.mqd, address, msgsize, receivedPriority, receiveTimeout);
            if (n < 0) {
                int errno = Native.errno();
                if (errno == Native.EINTR) continue;
                if (errno == Native.ETIMEDOUT) return NO_MESSAGE;
                if (errno == Native.EMSGSIZE) {
                    throw new ProtocolException(MECHANISM + ": a message in " + in.name + " is larger than our " + msgsize + "-byte buffer");
                }
                throw failure("mq_timedreceive", in, errno);
            }
            int prio = receivedPriority.getInt(0);
            if (prio == PRIO_END) {
                endSeen = true;
                return END_OF_STREAM;
            }
            if (prio == PRIO_ATTACH) continue; // only accept() cares; a repeated one is harmless
            int length = (int) n;
            if (direct) {
                into.position(into.position() + length);
            } else {
                if (length > room) {
                    throw new IllegalArgumentException("receive buffer has room for " + room + " bytes; the " + MECHANISM
                            + " message had " + length + " (the message is lost; pass a buffer of maxMessageSize() = " + msgsize + ")");
                }
                receiveScratch.clear().limit(length);
                into.put(receiveScratch);
            }
            return length;
        }
    }

    /** Waits for the peer's attach message (server side); returns the peer's pid. */
    long awaitAttach(Duration timeout) throws IOException {
        long end = System.nanoTime() + nanos(timeout);
        while (true) {
            ensureOpen();
            absolute(receiveTimeout, sliceMillis(end));
            long n = Native.libc().mq_timedreceive(in.mqd, receiveScratchAddress, msgsize, receivedPriority, receiveTimeout);
            if (n >= 0) {
                if (receivedPriority.getInt(0) != PRIO_ATTACH || n != 8) {
                    throw new ProtocolException(MECHANISM + ": the first message in " + in.name + " was not the peer's attach message");
                }
                return receiveScratch.order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            }
            int errno = Native.errno();
            if (errno == Native.EINTR) continue;
            if (errno != Native.ETIMEDOUT) throw failure("mq_timedreceive", in, errno);
            watch.check(MECHANISM, "attach to " + in.name);
            if (System.nanoTime() - end >= 0) throw new IpcTimeoutException(MECHANISM + ": waiting for the peer to open " + in.name, timeout);
        }
    }

    void watch(PeerLiveness w) {
        this.watch = w;
    }

    /** Runs {@code hook} once, after {@link #close()} has closed both descriptors (the server end's next session). */
    void afterClose(AutoCloseable hook) {
        this.afterClose = hook;
    }

    // ---------------------------------------------------------------- misc

    @Override
    public int maxMessageSize() {
        return msgsize;
    }

    /** Sends end-of-stream if there is room (never waits) and closes both descriptors. */
    @Override
    public synchronized void close() {
        if (closed) return;
        try {
            if (!out.closed()) {
                zero(sendTimeout);
                Native.libc().mq_timedsend(out.mqd, sendScratchAddress, 0, PRIO_END, sendTimeout);
            }
        } finally {
            closed = true;
            out.close();
            in.close();
            if (afterClose != null) {
                try {
                    afterClose.close();
                } catch (Exception e) {
                    // the next accept reports it: its queues could not be made
                    System.err.println("ipc: mqueue: cannot recreate the queues for the next peer: " + e.getMessage());
                }
            }
        }
    }

    private void ensureOpen() throws IpcException {
        if (closed || out.closed() || in.closed()) throw new IpcException(MECHANISM + ": channel is closed");
    }

    private MessageTooLargeException tooLarge(int length) {
        return new MessageTooLargeException(MECHANISM + " (mq_msgsize of " + out.name + ")", length, msgsize);
    }

    private IOException failure(String call, PosixQueue q, int errno) {
        if (closed || q.closed()) return new IpcException(MECHANISM + ": channel is closed");
        return new NativeException(call + "(" + q.name + ")", errno);
    }

    private static long currentMessages(PosixQueue q) {
        try {
            return q.attributes().curmsgs();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Milliseconds to wait in this slice: at most {@link #SLICE_MS}, at least 0. */
    private static long sliceMillis(long endNanos) {
        long left = endNanos - System.nanoTime();
        if (left <= 0) return 0;
        return Math.min(MqChannel.SLICE_MS, (left + 999_999) / 1_000_000);
    }

    /** CLOCK_REALTIME now + {@code millis}, as the absolute timespec the mq_timed* calls take. */
    private static void absolute(Pointer timespec, long millis) {
        long at = System.currentTimeMillis() + millis;
        timespec.putLong(0, at / 1000);
        timespec.putLong(8, (at % 1000) * 1_000_000L);
    }

    private static void zero(Pointer timespec) {
        timespec.putLong(0, 0);
        timespec.putLong(8, 0);
    }

    static long nanos(Duration d) {
        try {
            return Math.max(0, d.toNanos());
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE / 4;
        }
    }

    /** Throws PeerGone when the peer is gone; used by callers that wrap a timeout. */
    void checkPeer(String what) throws PeerGoneException {
        watch.check(MECHANISM, what);
    }
}
