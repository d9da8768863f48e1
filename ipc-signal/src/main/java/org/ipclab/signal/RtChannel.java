package org.ipclab.signal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

import org.ipclab.core.Units;
import org.ipclab.core.Channel;
import org.ipclab.core.IpcException;
import org.ipclab.core.IpcTimeoutException;
import org.ipclab.core.MessageTooLargeException;
import org.ipclab.core.NativeException;
import org.ipclab.core.PeerGoneException;

/**
 * The real-time route: a message is one queued real-time signal whose 8-byte {@code si_value}
 * carries up to 4 bytes of payload (low half, the {@code sival_int}) and their count (bits 32-34).
 * Real-time signals are queued, not merged, and arrive in the order sent. End of stream is the
 * next signal number ({@code SIGRTMIN+1} by default).
 *
 * <p>Receiving with {@code sigtimedwait} needs the signal blocked in every thread that could take
 * it — otherwise the kernel may hand it to a thread that does not block it, whose default action
 * kills the process. The <b>peer</b> is started with both signals blocked in every thread
 * ({@link SpawnedProcess}), so the runner sends to it process-wide ({@code sigqueue}). The
 * <b>runner's</b> JVM was started normally, so on its side:
 * <ul>
 * <li>each thread that uses the channel blocks the signals in itself (once), and the peer sends to
 *     exactly that thread ({@code rt_tgsigqueueinfo(pid, tid, ...)}): the tid of the thread that
 *     receives rides in bits 35-63 of every value the runner sends, so the reply goes where the
 *     receiver waits — no hand-off between threads;</li>
 * <li>as a safety net the signals' disposition is SIG_IGN in the runner: a blocked signal is still
 *     queued for {@code sigtimedwait}, but one that ever reached another thread is discarded
 *     instead of killing the JVM.</li>
 * </ul>
 * The per-message calls go through {@link RtCalls} (jnr-ffi or java.lang.foreign, {@code --opt io=...});
 * the one-time set-up above stays on jnr-ffi.
 */
final class RtChannel implements Channel {
    static final int MAX = 4;
    private static final long END_VALUE = Long.MIN_VALUE;
    private static final long NONE = Long.MAX_VALUE;
    private static final int LENGTH_SHIFT = 32;
    private static final int TID_SHIFT = 35;
    private static final long SLICE_NANOS = 100_000_000L;
    private static final Set<Integer> IGNORED = new HashSet<>();

    private final int dataSignal;
    private final int endSignal;
    private final boolean runnerSide;
    private volatile Peer peer;
    /** Runner side: the tid of the thread receiving (stamped into what we send). Peer side: the runner thread to send to. */
    private volatile int replyTid;
    private final ThreadLocal<Integer> readyTid = new ThreadLocal<>();

    private final RtCalls calls;
    private volatile boolean endSeen;
    private volatile boolean closed;

    private RtChannel(int dataSignal, boolean runnerSide, Peer peer, int replyTid, RtCalls calls) {
        this.dataSignal = dataSignal;
        this.endSignal = dataSignal + 1;
        this.runnerSide = runnerSide;
        this.peer = peer;
        this.replyTid = replyTid;
        this.calls = calls;
    }

    /** The runner's end: ignores the signals process-wide and blocks them in the calling thread, whose tid the peer first replies to. */
    static RtChannel runnerSide(int dataSignal, RtCalls calls) throws IOException {
        ignoreProcessWide(dataSignal);
        ignoreProcessWide(dataSignal + 1);
        RtChannel ch = new RtChannel(dataSignal, true, null, 0, calls);
        ch.replyTid = ch.readyThread();
        return ch;
    }

    /** The peer's end (this process started with both signals blocked in every thread). */
    static RtChannel peerSide(int dataSignal, Peer runner, int runnerTid, RtCalls calls) {
        return new RtChannel(dataSignal, false, runner, runnerTid, calls);
    }

    private static synchronized void ignoreProcessWide(int sig) {
        if (IGNORED.add(sig)) SigLib.libc().signal(sig, SigLib.SIG_IGN);
    }

    /** Blocks both signals in the calling thread once; returns its tid. */
    private int readyThread() throws IOException {
        Integer tid = readyTid.get();
        if (tid == null) {
            int rc = SigLib.blockInThisThread(dataSignal, endSignal);
            if (rc != 0) throw new NativeException("pthread_sigmask", rc);
            tid = SigLib.gettid();
            readyTid.set(tid);
        }
        return tid;
    }

    int initialTid() {
        return replyTid;
    }

    void peer(Peer p) {
        this.peer = p;
    }

    // ---------------------------------------------------------------- send

    @Override
    public void send(ByteBuffer message, Duration t) throws IOException {
        long value = encode(message);
        long end = System.nanoTime() + nanos(t);
        long backoff = 10_000;
        while (!queue(dataSignal, value)) {
            // EAGAIN: the receiver's pending-signal queue is full (RLIMIT_SIGPENDING)
            long now = System.nanoTime();
            if (now - end >= 0) throw new IpcTimeoutException("signal send (the receiver's pending signals reached RLIMIT_SIGPENDING)", t);
            LockSupport.parkNanos(Math.min(backoff, end - now));
            backoff = Math.min(backoff * 2, 1_000_000);
        }
    }

    @Override
    public boolean trySend(ByteBuffer message) throws IOException {
        return queue(dataSignal, encode(message));
    }

    private long encode(ByteBuffer message) {
        int length = message.remaining();
        if (length > MAX) throw new MessageTooLargeException("signal (si_value of a real-time signal)", length, MAX);
        long payload = 0;
        for (int i = 0; i < length; i++) payload |= (message.get(message.position() + i) & 0xFFL) << (8 * i);
        long v = ((long) length << LENGTH_SHIFT) | payload;
        return runnerSide ? v | ((long) replyTid << TID_SHIFT) : v;
    }

    /** One sigqueue (to the peer) or rt_tgsigqueueinfo (to the runner's receiving thread); false on EAGAIN. */
    private boolean queue(int sig, long value) throws IOException {
        if (closed) throw new IpcException("signal: channel is closed");
        Peer p = peer;
        p.check("send");
        int errno = runnerSide
                ? calls.sigqueue((int) p.pid(), sig, value)
                : calls.queueToThread((int) p.pid(), replyTid, sig, value);
        if (errno == 0) return true;
        if (errno == SigLib.EAGAIN) return false;
        if (errno == SigLib.ESRCH) throw new PeerGoneException("signal: " + p + " no longer exists");
        throw new NativeException(runnerSide ? "sigqueue(" + p.pid() + ")" : "rt_tgsigqueueinfo(" + p.pid() + ", " + replyTid + ")", errno);
    }

    // ---------------------------------------------------------------- receive

    @Override
    public int receive(ByteBuffer into, Duration t) throws IOException {
        long end = System.nanoTime() + nanos(t);
        while (true) {
            long v = waitOne(Math.max(0, Math.min(end - System.nanoTime(), SLICE_NANOS)));
            if (v != NONE) return deliver(v, into);
            Peer p = peer;
            if (p != null) p.check("receive");
            if (System.nanoTime() - end >= 0) throw new IpcTimeoutException("signal receive", t);
        }
    }

    @Override
    public int tryReceive(ByteBuffer into) throws IOException {
        long v = waitOne(0);
        return v == NONE ? NO_MESSAGE : deliver(v, into);
    }

    private int deliver(long v, ByteBuffer into) {
        if (v == END_VALUE) return END_OF_STREAM;
        int length = (int) ((v >>> LENGTH_SHIFT) & 7);
        if (length > MAX) length = MAX;
        if (into.remaining() < length) {
            throw new IllegalArgumentException("receive buffer has room for " + into.remaining() + " bytes; the signal carried " + length);
        }
        for (int i = 0; i < length; i++) into.put((byte) (v >>> (8 * i)));
        return length;
    }

    /** The next value, END_VALUE at end of stream, or NONE when the wait ran out. */
    private long waitOne(long nanos) throws IOException {
        if (endSeen) return END_VALUE;
        if (closed) throw new IpcException("signal: channel is closed");
        if (runnerSide) replyTid = readyThread(); // replies come to the thread that receives
        while (true) {
            int sig = calls.await(nanos);
            if (sig > 0) {
                long v = calls.value();
                if (!runnerSide) {
                    int tid = (int) (v >>> TID_SHIFT);
                    if (tid != 0) replyTid = tid;
                }
                if (sig == endSignal) {
                    endSeen = true;
                    return END_VALUE;
                }
                return v;
            }
            int errno = -sig;
            if (errno == SigLib.EAGAIN) return NONE;
            if (errno != SigLib.EINTR) throw new NativeException("sigtimedwait", errno);
        }
    }

    @Override
    public int maxMessageSize() {
        return MAX;
    }

    /** Sends the end-of-stream signal to a live peer (never in answer to its own end) and stops. */
    @Override
    public synchronized void close() {
        if (closed) return;
        try {
            Peer p = peer;
            if (!endSeen && p != null && p.alive()) queue(endSignal, runnerSide ? (long) replyTid << TID_SHIFT : 0);
        } catch (IOException | RuntimeException ignored) {
            // the peer went away meanwhile
        } finally {
            closed = true;
        }
    }

    /** One clamp for every timeout: {@link Units#nanos}. */
    static long nanos(Duration d) {
        return Units.nanos(d);
    }
}
