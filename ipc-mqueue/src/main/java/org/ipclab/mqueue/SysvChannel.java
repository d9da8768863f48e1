package org.ipclab.mqueue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import jnr.ffi.Pointer;

import org.ipclab.core.Channel;
import org.ipclab.core.IpcException;
import org.ipclab.core.IpcTimeoutException;
import org.ipclab.core.MessageTooLargeException;
import org.ipclab.core.NativeException;
import org.ipclab.core.PeerLiveness;
import org.ipclab.core.PeerGoneException;
import org.ipclab.core.ProtocolException;
import org.ipclab.core.internal.Deadline;

/**
 * A channel over two System V message queues, one per direction. A message is
 * {@code struct { long mtype; char mtext[]; }}; the type says what it is:
 *
 * <pre>
 *   1  WAKE    an empty message our own watchdog puts in our receive queue to end a wait
 *   2  ATTACH  the peer's first message: its pid (8 bytes)
 *   3  DATA    a message of the channel
 *   4  END     the sender closed its end
 *   5  WELCOME the server's answer to ATTACH: the attached peer's pid (8 bytes); the session starts
 * </pre>
 *
 * The queues outlive a session (their ids are in the peer's spec), so a session starts with a
 * handshake that skips what an earlier one left behind: the server discards everything before a
 * live peer's ATTACH, the peer everything before the WELCOME with its own pid.
 *
 * Receives take any type in FIFO order ({@code msgtyp = 0}). {@code msgrcv} has no timeout, so a
 * blocking receive arms a {@link Deadline}; when it fires, the watchdog sends WAKE to the queue we
 * are blocked on, we check the peer's liveness and the time left, and wait again. {@code msgsnd}
 * cannot be woken that way, so a send to a full queue retries with {@code IPC_NOWAIT} and a short
 * back-off (up to 1 ms) — the price of System V's missing timeouts.
 */
final class SysvChannel implements Channel {
    static final String MECHANISM = "sysv-mqueue";
    static final long WAKE = 1;
    static final long ATTACH = 2;
    static final long DATA = 3;
    static final long END = 4;
    static final long WELCOME = 5;
    private static final long MAX_BACKOFF_NANOS = 1_000_000;
    private static final Duration SLICE = Duration.ofMillis(MqChannel.SLICE_MS);
    private static final long SLICE_NANOS = SLICE.toNanos();

    private final SysvQueue out;
    private final SysvQueue in;
    private final int msgmax;
    private volatile PeerLiveness watch;

    private final ByteBuffer sendBuffer;
    private final long sendAddress;
    private final ByteBuffer receiveBuffer;
    private final long receiveAddress;
    private final Pointer wake;
    private final Deadline deadline;

    private volatile boolean endSeen;
    /** Nonzero on the peer side until the server's WELCOME for this pid came. */
    private long welcomeFor;
    private volatile boolean closed;

    SysvChannel(SysvQueue out, SysvQueue in, int msgmax, PeerLiveness watch) {
        this.out = out;
        this.in = in;
        this.msgmax = msgmax;
        this.watch = watch;
        this.sendBuffer = ByteBuffer.allocateDirect(8 + msgmax).order(ByteOrder.nativeOrder());
        this.sendAddress = Native.baseAddress(sendBuffer);
        this.receiveBuffer = ByteBuffer.allocateDirect(8 + msgmax).order(ByteOrder.nativeOrder());
        this.receiveAddress = Native.baseAddress(receiveBuffer);
        this.wake = Native.allocate(8);
        wake.putLong(0, WAKE);
        this.deadline = new Deadline(this::wakeUp);
    }

    private void wakeUp() {
        Native.libc().msgsnd(in.msqid, wake.address(), 0, Native.IPC_NOWAIT);
    }

    // ---------------------------------------------------------------- send

    @Override
    public void send(ByteBuffer message, Duration timeout) throws IOException {
        int length = prepare(DATA, message);
        long end = System.nanoTime() + MqChannel.nanos(timeout);
        long backoff = 0;
        long nextCheck = System.nanoTime() + MqChannel.SLICE_MS * 1_000_000;
        while (true) {
            ensureOpen();
            if (Native.libc().msgsnd(out.msqid, sendAddress, length, Native.IPC_NOWAIT) == 0) return;
            int errno = Native.errno();
            if (errno == Native.EINTR) continue;
            if (errno != Native.EAGAIN) throw sendFailure(errno);
            long now = System.nanoTime();
            if (now - nextCheck >= 0) {
                watch.check(MECHANISM, "send to " + out.describe());
                nextCheck = now + MqChannel.SLICE_MS * 1_000_000;
            }
            if (now - end >= 0) {
                throw new IpcTimeoutException(MECHANISM + " send to " + out.describe() + " (queue full: "
                        + queued(out) + "; msgmnb is " + Proc.kernel("msgmnb", -1) + " bytes)", timeout);
            }
            if (backoff == 0) {
                Thread.yield();
                backoff = 10_000;
            } else {
                LockSupport.parkNanos(Math.min(backoff, end - now));
                backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
            }
        }
    }

    @Override
    public boolean trySend(ByteBuffer message) throws IOException {
        int length = prepare(DATA, message);
        ensureOpen();
        if (Native.libc().msgsnd(out.msqid, sendAddress, length, Native.IPC_NOWAIT) == 0) return true;
        int errno = Native.errno();
        if (errno == Native.EAGAIN || errno == Native.EINTR) return false;
        throw sendFailure(errno);
    }

    /** Sends a control message (ATTACH, END) without waiting; false when the queue is full. */
    boolean sendControl(long type, ByteBuffer payload) throws IOException {
        int length = prepare(type, payload);
        if (Native.libc().msgsnd(out.msqid, sendAddress, length, Native.IPC_NOWAIT) == 0) return true;
        int errno = Native.errno();
        if (errno == Native.EAGAIN) return false;
        throw sendFailure(errno);
    }

    private int prepare(long type, ByteBuffer message) {
        int length = message.remaining();
        if (length > msgmax) {
            throw new MessageTooLargeException(MECHANISM + " (msgmax, /proc/sys/kernel/msgmax)", length, msgmax);
        }
        sendBuffer.clear();
        sendBuffer.putLong(0, type);
        sendBuffer.put(8, message, message.position(), length).position(8 + length);
        return length;
    }

    private IOException sendFailure(int errno) {
        if (closed) return new IpcException(MECHANISM + ": channel is closed");
        if (errno == Native.EIDRM || errno == Native.EINVAL) {
            return new PeerGoneException(MECHANISM + ": " + out.describe() + " was removed (the other end closed)");
        }
        return new NativeException("msgsnd(" + out.msqid + ")", errno);
    }

    // ---------------------------------------------------------------- receive

    @Override
    public int receive(ByteBuffer into, Duration timeout) throws IOException {
        long end = System.nanoTime() + MqChannel.nanos(timeout);
        while (true) {
            long type = receiveOne(end, false);
            if (type == DATA) return deliver(into);
            if (type == END) return END_OF_STREAM;
            if (type == ATTACH) continue;
            // WAKE, or the slice ran out: check the peer and the clock, then wait again.
            watch.check(MECHANISM, "receive from " + in.describe());
            if (System.nanoTime() - end >= 0) throw new IpcTimeoutException(MECHANISM + " receive from " + in.describe(), timeout);
        }
    }

    @Override
    public int tryReceive(ByteBuffer into) throws IOException {
        while (true) {
            long type = receiveOne(0, true);
            if (type == DATA) return deliver(into);
            if (type == END) return END_OF_STREAM;
            if (type == 0) return NO_MESSAGE;
            // a WAKE or ATTACH left over: look again
        }
    }

    /**
     * Waits for a live peer's ATTACH (server side) and returns its pid. Anything before it is an
     * earlier session's leftover (a late message or END of the last peer, the ATTACH of one that
     * died) and is dropped.
     */
    long awaitAttach(Duration timeout) throws IOException {
        long end = System.nanoTime() + MqChannel.nanos(timeout);
        while (true) {
            long type = receiveOne(end, false);
            endSeen = false; // an old peer's END is not this session's
            if (type == ATTACH) {
                long pid = receiveBuffer.getLong(8);
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) return pid;
                continue;
            }
            watch.check(MECHANISM, "attach to " + in.describe());
            if (System.nanoTime() - end >= 0) throw new IpcTimeoutException(MECHANISM + ": waiting for the peer to attach to " + in.describe(), timeout);
        }
    }

    /**
     * Peer side: until the server's WELCOME naming {@code myPid} arrives, every receive drops what
     * it finds (an earlier session's leftovers) and the WELCOME itself. Not a wait of its own, so a
     * peer may connect before the server accepts (both in one thread, as tests do).
     */
    void expectWelcome(long myPid) {
        this.welcomeFor = myPid;
    }

    /** One msgrcv: the received type, or 0 when nothing came (no wait, or EINTR). */
    private long receiveOne(long endNanos, boolean noWait) throws IOException {
        if (endSeen) return END;
        ensureOpen();
        long n;
        if (noWait) {
            n = Native.libc().msgrcv(in.msqid, receiveAddress, msgmax, 0, Native.IPC_NOWAIT);
        } else {
            long left = endNanos - System.nanoTime();
            deadline.arm(left >= SLICE_NANOS ? SLICE : Duration.ofNanos(Math.max(0, left)));
            n = Native.libc().msgrcv(in.msqid, receiveAddress, msgmax, 0, 0);
            deadline.disarm();
        }
        if (n < 0) {
            int errno = Native.errno();
            if (errno == Native.ENOMSG || errno == Native.EINTR) return 0;
            if (errno == Native.EIDRM || errno == Native.EINVAL) {
                if (closed) throw new IpcException(MECHANISM + ": channel is closed");
                endSeen = true; // the owner removed the queue: it closed its end
                return END;
            }
            throw new NativeException("msgrcv(" + in.msqid + ")", errno);
        }
        receiveBuffer.limit(8 + (int) n).position(8);
        long type = receiveBuffer.getLong(0);
        if (welcomeFor != 0) { // peer side, before the session started: an earlier session's leftovers are dropped
            if (type == WELCOME && n == 8 && receiveBuffer.getLong(8) == welcomeFor) welcomeFor = 0;
            return 0;
        }
        if (type == END) endSeen = true;
        return type == WAKE || type == WELCOME ? 0 : type;
    }

    private int deliver(ByteBuffer into) {
        int length = receiveBuffer.remaining();
        if (length > into.remaining()) {
            throw new IllegalArgumentException("receive buffer has room for " + into.remaining() + " bytes; the " + MECHANISM
                    + " message had " + length + " (the message is lost; pass a buffer of maxMessageSize() = " + msgmax + ")");
        }
        into.put(receiveBuffer);
        return length;
    }

    void watch(PeerLiveness w) {
        this.watch = w;
    }

    /** Throws PeerGone when the peer is gone. */
    void checkPeer(String what) throws PeerGoneException {
        watch.check(MECHANISM, what);
    }

    @Override
    public int maxMessageSize() {
        return msgmax;
    }

    /** Sends END if there is room (never waits). The queues themselves are removed by the server end. */
    @Override
    public synchronized void close() {
        if (closed) return;
        try {
            sendControl(END, ByteBuffer.allocate(0));
        } catch (IOException | RuntimeException ignored) {
            // the queue may be gone already
        } finally {
            closed = true;
            deadline.close();
        }
    }

    private void ensureOpen() throws IpcException {
        if (closed) throw new IpcException(MECHANISM + ": channel is closed");
    }

    private static String queued(SysvQueue q) {
        try {
            SysvQueue.Status s = q.status();
            return s.qnum() + " messages, " + s.cbytes() + " of " + s.qbytes() + " bytes";
        } catch (IOException e) {
            return "unknown";
        }
    }
}
