package org.ipclab.signal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import jnr.ffi.Pointer;

import org.ipclab.core.Channel;
import org.ipclab.core.IpcException;
import org.ipclab.core.IpcTimeoutException;
import org.ipclab.core.MessageTooLargeException;
import org.ipclab.core.NativeException;

/**
 * The real-time route: a message is one queued real-time signal whose 8-byte {@code si_value}
 * carries up to 4 bytes of payload (low half, the {@code sival_int}) and their count (high half).
 * Real-time signals are queued, not merged, and arrive in the order sent. End of stream is a second
 * signal number ({@code SIGRTMIN+1}).
 *
 * <p>Receiving with {@code sigtimedwait} needs the signals blocked in every thread of the process:
 * the peer is started that way ({@link SpawnedProcess}). The runner's JVM is not, so on its side
 * one dedicated thread blocks them, the peer sends to that thread only
 * ({@code rt_tgsigqueueinfo(pid, tid, ...)}: a thread-directed signal never reaches the other,
 * unblocked threads, where it would kill the process) and hands each value over through a queue —
 * one thread wake-up more than the peer side pays.
 */
final class RtChannel implements Channel {
    static final int MAX = 4;
    private static final long END_VALUE = Long.MIN_VALUE;

    private final int dataSignal;
    private final int endSignal;
    private volatile Peer peer;
    private final int targetTid;              // 0: process-directed sigqueue (the peer has every thread blocked)
    private final ServerReceiver receiver;    // null on the peer side: sigtimedwait in the caller's thread
    private final BlockingQueue<Long> fromReceiver;
    private final Pointer waitSet;
    private final Pointer info = SigLib.allocate(SigLib.SIGINFO_BYTES);
    private final Pointer timeout = SigLib.allocate(16);
    private final Pointer sendInfo = SigLib.allocate(SigLib.SIGINFO_BYTES);
    private boolean endSeen;
    private volatile boolean closed;

    RtChannel(int dataSignal, Peer peer, int targetTid, ServerReceiver receiver) {
        this.dataSignal = dataSignal;
        this.endSignal = dataSignal + 1;
        this.peer = peer;
        this.targetTid = targetTid;
        this.receiver = receiver;
        this.fromReceiver = receiver == null ? null : receiver.attach();
        this.waitSet = SigLib.sigset(dataSignal, endSignal);
        sendInfo.putInt(SigLib.SI_CODE, SigLib.SI_QUEUE);
        sendInfo.putInt(SigLib.SI_PID, (int) ProcessHandle.current().pid());
        sendInfo.putInt(SigLib.SI_UID, SigLib.libc().getuid());
    }

    @Override
    public void send(ByteBuffer message, Duration t) throws IOException {
        int length = message.remaining();
        if (length > MAX) throw new MessageTooLargeException("signal (si_value of a real-time signal)", length, MAX);
        long value = encode(message, length);
        long end = System.nanoTime() + nanos(t);
        long backoff = 10_000;
        while (!queue(dataSignal, value)) {
            // EAGAIN: the receiver's queue of pending signals is full (RLIMIT_SIGPENDING)
            peer.check("send");
            long now = System.nanoTime();
            if (now - end >= 0) throw new IpcTimeoutException("signal send (the peer's pending-signal queue is full, RLIMIT_SIGPENDING)", t);
            LockSupport.parkNanos(Math.min(backoff, end - now));
            backoff = Math.min(backoff * 2, 1_000_000);
        }
    }

    @Override
    public boolean trySend(ByteBuffer message) throws IOException {
        int length = message.remaining();
        if (length > MAX) throw new MessageTooLargeException("signal (si_value of a real-time signal)", length, MAX);
        return queue(dataSignal, encode(message, length));
    }

    private static long encode(ByteBuffer message, int length) {
        long payload = 0;
        for (int i = 0; i < length; i++) payload |= (message.get(message.position() + i) & 0xFFL) << (8 * i);
        return ((long) length << 32) | payload;
    }

    /** One sigqueue / rt_tgsigqueueinfo; false on EAGAIN. */
    private boolean queue(int sig, long value) throws IOException {
        if (closed) throw new IpcException("signal: channel is closed");
        peer.check("send");
        int rc;
        if (targetTid == 0) {
            rc = SigLib.libc().sigqueue((int) peer.pid(), sig, value);
        } else {
            sendInfo.putInt(SigLib.SI_SIGNO, sig);
            sendInfo.putLong(SigLib.SI_VALUE, value);
            rc = (int) SigLib.libc().syscall(SigLib.SYS_RT_TGSIGQUEUEINFO, peer.pid(), targetTid, sig, sendInfo.address());
        }
        if (rc == 0) return true;
        int errno = SigLib.errno();
        if (errno == SigLib.EAGAIN) return false;
        if (errno == SigLib.ESRCH) throw new org.ipclab.core.PeerGoneException("signal: " + peer + " no longer exists");
        throw new NativeException(targetTid == 0 ? "sigqueue(" + peer.pid() + ")" : "rt_tgsigqueueinfo(" + peer.pid() + ", " + targetTid + ")", errno);
    }

    @Override
    public int receive(ByteBuffer into, Duration t) throws IOException {
        long end = System.nanoTime() + nanos(t);
        while (true) {
            long left = end - System.nanoTime();
            long slice = Math.max(0, Math.min(left, 100_000_000L));
            long v = waitOne(slice);
            if (v != NONE) return deliver(v, into);
            peer.check("receive");
            if (System.nanoTime() - end >= 0) throw new IpcTimeoutException("signal receive", t);
        }
    }

    @Override
    public int tryReceive(ByteBuffer into) throws IOException {
        long v = waitOne(0);
        return v == NONE ? NO_MESSAGE : deliver(v, into);
    }

    private static final long NONE = Long.MAX_VALUE;

    private int deliver(long v, ByteBuffer into) {
        if (v == END_VALUE) {
            endSeen = true;
            return END_OF_STREAM;
        }
        int length = (int) (v >>> 32);
        if (length > MAX || length < 0) length = MAX;
        if (into.remaining() < length) {
            throw new org.ipclab.core.BadInputException("receive buffer has room for " + into.remaining() + " bytes; the signal carried " + length);
        }
        for (int i = 0; i < length; i++) into.put((byte) (v >>> (8 * i)));
        return length;
    }

    /** The next value, END_VALUE at end of stream, or NONE when the wait ran out. */
    private long waitOne(long nanos) throws IOException {
        if (endSeen) return END_VALUE;
        if (closed) throw new IpcException("signal: channel is closed");
        if (fromReceiver != null) {
            try {
                Long v = nanos == 0 ? fromReceiver.poll() : fromReceiver.poll(nanos, TimeUnit.NANOSECONDS);
                return v == null ? NONE : v;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IpcException("signal: interrupted");
            }
        }
        return sigtimedwait(waitSet, info, timeout, nanos, endSignal);
    }

    /** One sigtimedwait in the calling thread (which must block both signals). */
    static long sigtimedwait(Pointer set, Pointer info, Pointer timeout, long nanos, int endSignal) throws IOException {
        while (true) {
            timeout.putLong(0, nanos / 1_000_000_000L);
            timeout.putLong(8, nanos % 1_000_000_000L);
            int sig = SigLib.libc().sigtimedwait(set, info, timeout);
            if (sig > 0) return sig == endSignal ? END_VALUE : info.getLong(SigLib.SI_VALUE);
            int errno = SigLib.errno();
            if (errno == SigLib.EAGAIN) return NONE;
            if (errno != SigLib.EINTR) throw new NativeException("sigtimedwait", errno);
        }
    }

    void peer(Peer p) {
        this.peer = p;
    }

    @Override
    public int maxMessageSize() {
        return MAX;
    }

    /** Sends the end-of-stream signal to a live peer and stops receiving. */
    @Override
    public synchronized void close() {
        if (closed) return;
        try {
            if (!endSeen && peer != null && peer.alive()) queue(endSignal, 0); // never answer an end with an end
        } catch (IOException | RuntimeException ignored) {
            // the peer went away meanwhile
        } finally {
            closed = true;
            if (receiver != null) receiver.detach(fromReceiver);
        }
    }

    static long nanos(Duration d) {
        try {
            return Math.max(0, d.toNanos());
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4;
        }
    }

    /**
     * The runner side's receiving thread: blocks both signals in itself only, waits with
     * sigtimedwait, and passes each value to the channel that is open. Its tid goes to the peer in
     * the spec. One per signal number for the life of the JVM: if it ended, its tid could be
     * reused by another thread of this JVM that does not block the signal, and a late signal
     * would then kill the process. Values that arrive while no channel is open are dropped.
     */
    static final class ServerReceiver {
        private static final java.util.Map<Integer, ServerReceiver> BY_SIGNAL = new java.util.HashMap<>();
        private volatile BlockingQueue<Long> current;
        private final int tid;

        private ServerReceiver(int dataSignal) throws IOException {
            int endSignal = dataSignal + 1;
            java.util.concurrent.CompletableFuture<Integer> started = new java.util.concurrent.CompletableFuture<>();
            Thread thread = new Thread(() -> {
                int rc = SigLib.blockInThisThread(dataSignal, endSignal);
                if (rc != 0) {
                    started.completeExceptionally(new NativeException("pthread_sigmask", rc));
                    return;
                }
                started.complete(SigLib.gettid());
                Pointer set = SigLib.sigset(dataSignal, endSignal);
                Pointer info = SigLib.allocate(SigLib.SIGINFO_BYTES);
                Pointer ts = SigLib.allocate(16);
                while (true) {
                    try {
                        long v = sigtimedwait(set, info, ts, 1_000_000_000L, endSignal);
                        BlockingQueue<Long> q = current;
                        if (v != NONE && q != null) q.offer(v);
                    } catch (IOException e) {
                        LockSupport.parkNanos(100_000_000L);
                    }
                }
            }, "ipclab-signal-receiver-" + dataSignal);
            thread.setDaemon(true);
            thread.start();
            try {
                tid = started.get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IpcException("signal: the receiving thread did not start: " + e, e);
            }
        }

        static synchronized ServerReceiver forSignal(int dataSignal) throws IOException {
            ServerReceiver r = BY_SIGNAL.get(dataSignal);
            if (r == null) {
                r = new ServerReceiver(dataSignal);
                BY_SIGNAL.put(dataSignal, r);
            }
            return r;
        }

        int tid() {
            return tid;
        }

        /** Starts delivering to a fresh queue; only one channel per signal number at a time. */
        synchronized BlockingQueue<Long> attach() {
            if (current != null) throw new org.ipclab.core.BadInputException("this process already has a real-time signal channel on this signal");
            current = new ArrayBlockingQueue<>(65536);
            return current;
        }

        synchronized void detach(BlockingQueue<Long> q) {
            if (current == q) current = null;
        }
    }
}
