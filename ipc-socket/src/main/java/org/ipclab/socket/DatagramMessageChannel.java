package org.ipclab.socket;

import java.io.IOException;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.locks.ReentrantLock;

import org.ipclab.core.Units;
import org.ipclab.core.BadInputException;
import org.ipclab.core.Channel;
import org.ipclab.core.IoErrors;
import org.ipclab.core.IpcException;
import org.ipclab.core.IpcTimeoutException;
import org.ipclab.core.MessageTooLargeException;
import org.ipclab.core.PeerGoneException;
import org.ipclab.core.io.RawChannel;

/**
 * A {@link Channel} over a connected message socket — UDP, Unix {@code SOCK_DGRAM} or
 * {@code SOCK_SEQPACKET} — where the kernel keeps the boundaries: one {@code send} is one datagram,
 * no framing header, and nothing added or allocated per message.
 *
 * <p>The socket is non-blocking; a call that must wait polls a {@link Selector} with the remaining
 * time, so a timeout leaves the channel usable (unlike a byte stream, a datagram socket is never in
 * the middle of a message). The cost is one extra {@code epoll_wait}/{@code poll} per wait.
 *
 * <p>This is a plain datagram channel: over UDP a message may be lost or reordered, and it is the
 * caller's business to cope (the peer protocol wraps unreliable channels in
 * {@code org.ipclab.core.reliable.AckedChannel} for its control messages). The only datagrams of
 * its own are the connectionless "accept" handshake: a client's {@code JOIN} (and, for UDP, the
 * server's {@code JOIN_ACK}), which tell the server where to reply.
 *
 * <p>A server end's socket outlives each channel: {@link #keepSocketOpen} makes {@link #close()}
 * hand the socket back (disconnected) instead of closing it, so the next client can join.
 *
 * <p>In a fan-in run ({@link #sharedByWriters}) the server's socket stays unconnected and this
 * channel receives every writer's datagrams; it has no one peer, so it refuses to send.
 */
class DatagramMessageChannel implements Channel {
    static final long JOIN_MAGIC = 0x6A54_5044_554C_4349L; // "ICLUDPTj": a client introduces itself to the server
    static final long JOIN_ACK_MAGIC = 0x6B54_5044_554C_4349L; // "ICLUDPTk": the server has connected back
    static final int LANE_HEADER = 12;
    private static final long POLL_SLICE_MS = 100;
    private static final long FIRST_RTO_MS = 20;
    private static final long MAX_RTO_MS = 500;

    private final String mechanism;
    private final DatagramChannel socket;
    private final int maxMessageSize;
    private final boolean endOfStreamOnMinusOne;
    private final boolean answersJoin;
    private final AutoCloseable[] alsoClose;
    private final Selector readSelector;
    private final Selector writeSelector;
    private final ByteBuffer rx;
    private final ReentrantLock readLock = new ReentrantLock();
    private final Deque<byte[]> pending = new ArrayDeque<>();
    private final ByteBuffer laneBuffer = ByteBuffer.allocateDirect(LANE_HEADER).order(ByteOrder.LITTLE_ENDIAN);
    private final java.net.DatagramSocket blockingSocket;
    private final RawChannel raw;
    private int sendSliceMs; // the SO_SNDTIMEO last set on raw; 0 = never set (unbounded)
    private final boolean blocking;
    private final org.ipclab.core.internal.Deadline writeDeadline = new org.ipclab.core.internal.Deadline(this::close);
    private int currentSoTimeoutMs = -1;
    private boolean waitFirst;
    private volatile boolean closed;
    private volatile String peerGone;
    private volatile AutoCloseable releaseSocket;
    private volatile String peer = "";
    /** 0: one peer (the socket is connected to it); N: N fan-in writers share the unconnected socket. */
    private volatile int writers;

    /**
     * @param endOfStreamOnMinusOne true for SOCK_SEQPACKET: a read of -1 is the peer's orderly close
     * @param answersJoin           true for a UDP server: a repeated JOIN (our JOIN_ACK was lost) is answered again;
     *                              JOIN and JOIN_ACK datagrams are never delivered as messages
     */
    DatagramMessageChannel(String mechanism, DatagramChannel socket, int maxMessageSize, boolean endOfStreamOnMinusOne,
                           boolean answersJoin, AutoCloseable... alsoClose) throws IOException {
        this(mechanism, socket, maxMessageSize, endOfStreamOnMinusOne, answersJoin, null, alsoClose);
    }

    /**
     * @param soTimeout for junixsocket sockets: waits are blocking reads bounded by SO_TIMEOUT
     *                  (SO_RCVTIMEO), one syscall per receive like C, instead of non-blocking reads
     *                  plus junixsocket's poll-based selector (measured ~30% slower per round trip);
     *                  null for JDK sockets, whose epoll selector is cheap
     */
    DatagramMessageChannel(String mechanism, DatagramChannel socket, int maxMessageSize, boolean endOfStreamOnMinusOne,
                           boolean answersJoin, java.net.DatagramSocket soTimeout, AutoCloseable... alsoClose) throws IOException {
        this(mechanism, socket, maxMessageSize, endOfStreamOnMinusOne, answersJoin, soTimeout, null, alsoClose);
    }

    /**
     * io=ffm: recv/send on the socket's descriptor through {@code raw}, blocking and bounded by
     * SO_RCVTIMEO like the junixsocket route: one {@code recv} per receive, no readiness poll first.
     */
    static DatagramMessageChannel raw(String mechanism, DatagramChannel socket, int maxMessageSize, boolean endOfStreamOnMinusOne,
                                      boolean answersJoin, RawChannel raw, AutoCloseable... alsoClose) throws IOException {
        return new DatagramMessageChannel(mechanism, socket, maxMessageSize, endOfStreamOnMinusOne, answersJoin, null, raw, alsoClose);
    }

    private DatagramMessageChannel(String mechanism, DatagramChannel socket, int maxMessageSize, boolean endOfStreamOnMinusOne,
                                   boolean answersJoin, java.net.DatagramSocket soTimeout, RawChannel raw,
                                   AutoCloseable... alsoClose) throws IOException {
        this.blockingSocket = soTimeout;
        this.raw = raw;
        this.blocking = soTimeout != null || raw != null;
        this.mechanism = mechanism;
        this.socket = socket;
        this.maxMessageSize = maxMessageSize;
        this.endOfStreamOnMinusOne = endOfStreamOnMinusOne;
        this.answersJoin = answersJoin;
        this.alsoClose = alsoClose;
        if (blocking) {
            socket.configureBlocking(true);
            this.readSelector = null;
            this.writeSelector = null;
        } else {
            socket.configureBlocking(false);
            this.readSelector = socket.provider().openSelector();
            this.writeSelector = socket.provider().openSelector();
            socket.register(readSelector, SelectionKey.OP_READ);
            socket.register(writeSelector, SelectionKey.OP_WRITE);
        }
        // One byte more than the maximum, so that an oversized datagram is detected, not silently truncated.
        this.rx = ByteBuffer.allocateDirect(maxMessageSize + 1).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * For a server end whose one socket serves client after client: {@link #close()} runs
     * {@code release} (which disconnects the socket) instead of closing the socket.
     */
    void keepSocketOpen(AutoCloseable release) {
        this.releaseSocket = release;
    }

    /**
     * For a server end in a fan-in run: its socket is left unconnected, so every writer's datagrams
     * arrive here (the kernel filters none), and there is no one address to send to: sends are refused.
     */
    void sharedByWriters(int writers) {
        this.writers = writers;
    }

    /** A message that arrived before this channel existed (the server's first message, read while we waited for JOIN_ACK). */
    void pushFirst(ByteBuffer message) {
        byte[] copy = new byte[message.remaining()];
        message.get(message.position(), copy);
        synchronized (pending) {
            pending.addLast(copy);
        }
    }

    /** Marks the peer as gone (its process exited): waits end with {@link PeerGoneException} instead of a timeout. */
    void peerGone(String why) {
        peerGone = why;
        if (readSelector != null) readSelector.wakeup();
        if (writeSelector != null) writeSelector.wakeup();
    }

    @Override
    public int maxMessageSize() {
        return maxMessageSize;
    }

    /** Names the other end for {@link #peer()} (a server end knows it from accept). */
    DatagramMessageChannel describedAs(String peer) {
        this.peer = peer;
        return this;
    }

    @Override
    public String peer() {
        return peer;
    }

    // ---------------------------------------------------------------- send

    @Override
    public void send(ByteBuffer message, Duration timeout) throws IOException {
        checkSize(message);
        refuseSendWhenShared();
        if (raw != null) {
            sendRaw(message, timeout);
            return;
        }
        if (blockingSocket != null) {
            sendBlocking(message, timeout);
            return;
        }
        long deadline = System.nanoTime() + nanos(timeout);
        while (true) {
            if (write(message) > 0) return;
            awaitWritable(deadline, timeout);
        }
    }

    /** A blocking send; the deadline closes the channel to wake it (a full peer queue that never drains). */
    private void sendBlocking(ByteBuffer m, Duration timeout) throws IOException {
        ensureOpen();
        int position = m.position();
        writeDeadline.arm(timeout);
        try {
            // The socket's SO_TIMEOUT (set in slices for receives) bounds a blocking send too: a
            // send to a full queue can end having sent nothing. Send again, never count it as sent.
            while (true) {
                int sent;
                try {
                    sent = socket.write(m);
                } catch (java.net.SocketTimeoutException slice) {
                    sent = 0;
                }
                if (sent > 0) break;
                m.position(position);
                if (writeDeadline.expired()) throw new IpcTimeoutException(mechanism + " send (peer not reading; channel closed)", timeout);
            }
        } catch (IpcTimeoutException e) {
            throw e;
        } catch (IOException e) {
            if (!writeDeadline.disarm()) throw new IpcTimeoutException(mechanism + " send (peer not reading; channel closed)", timeout);
            throw translate(e, "send");
        } finally {
            m.position(position);
        }
        if (!writeDeadline.disarm()) throw new IpcTimeoutException(mechanism + " send (channel closed)", timeout);
    }

    /**
     * One blocking {@code send}, as in C: it returns at once when the datagram fits and sleeps in the
     * kernel while the peer's queue (Unix datagrams) is full, woken when it drains. SO_SNDTIMEO
     * slices the wait so the deadline and a peer's death are still seen between slices. The usual
     * send, under the slice already set, reads no clock: C's reads none either.
     */
    private void sendRaw(ByteBuffer m, Duration timeout) throws IOException {
        long timeoutNanos = nanos(timeout);
        long slice = sendSliceMs * 1_000_000L;
        long deadline;
        if (sendSliceMs > 0 && slice <= timeoutNanos) {
            if (writeBlocking(m) > 0) return;
            if (peerGone != null) throw new PeerGoneException(mechanism + " send: " + peerGone);
            deadline = System.nanoTime() + timeoutNanos - slice; // that send waited out its whole slice
        } else {
            deadline = System.nanoTime() + timeoutNanos;
        }
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) throw new IpcTimeoutException(mechanism + " send (peer not reading)", timeout);
            int sliceMs = (int) Math.max(1, Math.min(POLL_SLICE_MS, left / 1_000_000));
            if (sliceMs != sendSliceMs) {
                raw.setSendTimeout(sliceMs); // one setsockopt, only when the slice changes (near the deadline)
                sendSliceMs = sliceMs;
            }
            if (writeBlocking(m) > 0) return;
            if (peerGone != null) throw new PeerGoneException(mechanism + " send: " + peerGone);
        }
    }

    private int writeBlocking(ByteBuffer m) throws IOException {
        ensureOpen();
        int position = m.position();
        try {
            return raw.write(m);
        } catch (IOException e) {
            throw translate(e, "send");
        } finally {
            m.position(position);
        }
    }

    @Override
    public boolean trySend(ByteBuffer message) throws IOException {
        checkSize(message);
        refuseSendWhenShared();
        if (blockingSocket == null) return write(message) > 0;
        synchronized (socket.blockingLock()) {
            socket.configureBlocking(false);
            try {
                return write(message) > 0;
            } finally {
                socket.configureBlocking(true);
            }
        }
    }

    private void refuseSendWhenShared() throws IpcException {
        int n = writers;
        if (n > 0) {
            throw new IpcException(mechanism + " fan-in: " + n + " writers share this unconnected socket, so it has no one peer"
                    + " to send to; it only receives (throughput only)");
        }
    }

    private void checkSize(ByteBuffer message) {
        int length = message.remaining();
        if (length > maxMessageSize) throw new MessageTooLargeException(mechanism, length, maxMessageSize);
        if (length == 0) {
            throw new BadInputException(mechanism + " does not carry 0-byte messages (" + whyNoEmpty() + ")");
        }
    }

    private String whyNoEmpty() {
        return endOfStreamOnMinusOne
                ? "on SOCK_SEQPACKET the kernel reports an empty message exactly like the peer's close: recv returns 0"
                : "the Java socket libraries do not send empty datagrams";
    }

    /** One datagram from {@code m}'s position; the position is put back (the Channel contract), nothing is allocated. */
    private int write(ByteBuffer m) throws IOException {
        ensureOpen();
        int position = m.position();
        try {
            return raw != null ? raw.writeNow(m) : socket.write(m);
        } catch (IOException e) {
            throw translate(e, "send");
        } finally {
            m.position(position);
        }
    }

    private void awaitWritable(long deadline, Duration timeout) throws IOException {
        long left = deadline - System.nanoTime();
        if (peerGone != null) throw new PeerGoneException(mechanism + " send: " + peerGone);
        if (left <= 0) throw new IpcTimeoutException(mechanism + " send (peer not reading)", timeout);
        writeSelector.select(Math.max(1, Math.min(POLL_SLICE_MS, left / 1_000_000)));
        writeSelector.selectedKeys().clear();
    }

    // ---------------------------------------------------------------- receive

    @Override
    public int receive(ByteBuffer into, Duration timeout) throws IOException {
        if (blocking) return receiveBlocking(into, timeout);
        long deadline = System.nanoTime() + nanos(timeout);
        // Ping-pong: the reply is rarely there yet, so a read first only returns EAGAIN. When the
        // last receive had to wait, wait first (epoll_wait, then one read: two syscalls, not three).
        if (waitFirst && pendingIsEmpty()) {
            readSelector.select(Math.max(1, Math.min(POLL_SLICE_MS, nanos(timeout) / 1_000_000)));
            readSelector.selectedKeys().clear();
        }
        boolean firstTry = true;
        while (true) {
            int n = tryReceive(into);
            if (firstTry) {
                waitFirst = n == NO_MESSAGE;
                firstTry = false;
            }
            if (n != NO_MESSAGE) return n;
            if (peerGone != null) throw new PeerGoneException(mechanism + " receive: " + peerGone);
            long left = deadline - System.nanoTime();
            if (left <= 0) throw new IpcTimeoutException(mechanism + " receive", timeout);
            readSelector.select(Math.max(1, Math.min(POLL_SLICE_MS, left / 1_000_000)));
            readSelector.selectedKeys().clear();
        }
    }

    /**
     * Blocking reads in slices of at most {@value #POLL_SLICE_MS} ms (SO_TIMEOUT), so that a dead
     * peer and the deadline are noticed. junixsocket reports a timed-out read as -1, like end of
     * stream; a non-blocking read tells the two apart (-1 again: the peer closed; 0: nothing yet).
     * The usual receive, one read under the slice already set, reads no clock, as in C; the
     * deadline is reckoned only once a slice has run out.
     */
    private int receiveBlocking(ByteBuffer into, Duration timeout) throws IOException {
        ensureOpen();
        int kept = pollPending(into);
        if (kept != NO_MESSAGE) return kept;
        long timeoutNanos = nanos(timeout);
        readLock.lock();
        try {
            long deadline;
            long slice = currentSoTimeoutMs * 1_000_000L;
            if (currentSoTimeoutMs > 0 && slice <= timeoutNanos) {
                int n = receiveOnce(into);
                if (n > 0 || n == END_OF_STREAM) return n;
                if (peerGone != null) throw new PeerGoneException(mechanism + " receive: " + peerGone);
                // A slice that ran out took its whole length; a skipped handshake datagram, next to nothing.
                deadline = System.nanoTime() + timeoutNanos - (n == SLICE_ENDED ? slice : 0);
            } else {
                deadline = System.nanoTime() + timeoutNanos;
            }
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new IpcTimeoutException(mechanism + " receive", timeout);
                int sliceMs = (int) Math.max(1, Math.min(POLL_SLICE_MS, (left + 999_999) / 1_000_000));
                if (sliceMs != currentSoTimeoutMs) {
                    if (raw != null) raw.setReceiveTimeout(sliceMs);
                    else blockingSocket.setSoTimeout(sliceMs);
                    currentSoTimeoutMs = sliceMs;
                }
                int n = receiveOnce(into);
                if (n > 0 || n == END_OF_STREAM) return n;
                if (peerGone != null) throw new PeerGoneException(mechanism + " receive: " + peerGone);
            }
        } finally {
            readLock.unlock();
        }
    }

    /** {@link #receiveOnce}: the slice ran out with nothing read. */
    private static final int SLICE_ENDED = -3;
    /** {@link #receiveOnce}: a handshake datagram was read and dropped. */
    private static final int SKIPPED = -4;

    /** One blocking read under the current slice: a delivered message's length, END_OF_STREAM, SLICE_ENDED or SKIPPED. */
    private int receiveOnce(ByteBuffer into) throws IOException {
        int n = readOne();
        if (n > 0) return isHandshake(n) ? SKIPPED : deliver(into, rx, n);
        if (n == END_OF_STREAM || (n == 0 && endOfStreamOnMinusOne)) {
            int again = readNonBlocking();
            if (again == END_OF_STREAM) return END_OF_STREAM;
            if (again > 0) return isHandshake(again) ? SKIPPED : deliver(into, rx, again);
        }
        return SLICE_ENDED;
    }

    private boolean pendingIsEmpty() {
        synchronized (pending) {
            return pending.isEmpty();
        }
    }

    /** The message kept aside by {@link #pushFirst}, else NO_MESSAGE. */
    private int pollPending(ByteBuffer into) {
        if (pending.isEmpty()) return NO_MESSAGE; // racy peek, then the real check under the lock
        byte[] first;
        synchronized (pending) {
            first = pending.pollFirst();
        }
        return first == null ? NO_MESSAGE : deliver(into, ByteBuffer.wrap(first), first.length);
    }

    private int readNonBlocking() throws IOException {
        if (raw != null) return readOne(true);
        synchronized (socket.blockingLock()) {
            socket.configureBlocking(false);
            try {
                return readOne();
            } finally {
                socket.configureBlocking(true);
            }
        }
    }

    @Override
    public int tryReceive(ByteBuffer into) throws IOException {
        ensureOpen();
        int kept = pollPending(into);
        if (kept != NO_MESSAGE) return kept;
        readLock.lock();
        try {
            while (true) {
                int n = blocking ? readNonBlocking() : readOne();
                if (n == END_OF_STREAM) return END_OF_STREAM;
                if (n == 0) return NO_MESSAGE;
                if (!isHandshake(n)) return deliver(into, rx, n);
            }
        } finally {
            readLock.unlock();
        }
    }

    /** One datagram into {@link #rx} (flipped); its length, 0 when none is waiting, or END_OF_STREAM. */
    private int readOne() throws IOException {
        return readOne(false);
    }

    private int readOne(boolean now) throws IOException {
        rx.clear();
        int n;
        try {
            if (raw != null) n = now ? raw.readNow(rx) : raw.read(rx);
            else if (writers > 0 && blockingSocket == null) n = receiveFromAnyone();
            else n = socket.read(rx);
        } catch (java.net.SocketTimeoutException slice) {
            return 0; // an SO_TIMEOUT slice ended (blocking mode)
        } catch (IOException e) {
            throw translate(e, "receive");
        }
        if (n < 0) {
            if (endOfStreamOnMinusOne) return END_OF_STREAM;
            n = 0;
        }
        rx.flip();
        if (n > maxMessageSize) {
            throw new IpcException(mechanism + ": received a datagram over the limit of " + maxMessageSize + " bytes; dropped");
        }
        return n;
    }

    /**
     * The JDK's {@code read} needs a connected socket (NotYetConnectedException); {@code receive}
     * takes a datagram from any sender. (recv(2) through io=ffm and junixsocket's read need no peer.)
     */
    private int receiveFromAnyone() throws IOException {
        return socket.receive(rx) == null ? 0 : rx.position();
    }

    /**
     * True (and handled) when the datagram of {@code n} bytes in {@link #rx} is the accept
     * handshake's: a client's JOIN repeated because our JOIN_ACK was lost, or a duplicate JOIN_ACK.
     * (A 12-byte message equal to one of these two is the only one a datagram channel cannot carry.)
     */
    private boolean isHandshake(int n) {
        if (n != LANE_HEADER) return false;
        long first = rx.getLong(0);
        if (first == JOIN_MAGIC) {
            if (answersJoin && writers == 0) sendLaneQuietly(JOIN_ACK_MAGIC, 0); // a fan-in writer waits for no answer
            return true;
        }
        return first == JOIN_ACK_MAGIC;
    }

    /** True when {@code b} (from position 0) is a JOIN datagram. */
    static boolean isJoin(ByteBuffer b) {
        return b.remaining() == LANE_HEADER && b.order(ByteOrder.LITTLE_ENDIAN).getLong(0) == JOIN_MAGIC;
    }

    /**
     * The client's half of the datagram "accept": tells the server our address with a JOIN datagram,
     * so that it can connect back before anyone has anything to say (with {@code ipc serve} the
     * server speaks first). With {@code awaitAck} (UDP, where the JOIN or its answer may be lost)
     * the JOIN is repeated until JOIN_ACK — or the server's first message — arrives; that message
     * is returned to be delivered first. Returns null otherwise.
     */
    static ByteBuffer join(DatagramChannel socket, String mechanism, boolean awaitAck, Duration timeout) throws IOException {
        ByteBuffer joinMsg = ByteBuffer.allocate(LANE_HEADER).order(ByteOrder.LITTLE_ENDIAN);
        joinMsg.putLong(JOIN_MAGIC).putInt(0).flip();
        if (!awaitAck) {
            socket.write(joinMsg);
            return null;
        }
        long deadline = System.nanoTime() + nanos(timeout);
        ByteBuffer in = ByteBuffer.allocateDirect(MAX_UDP_FRAME).order(ByteOrder.LITTLE_ENDIAN);
        boolean wasBlocking = socket.isBlocking();
        socket.configureBlocking(false);
        long rto = FIRST_RTO_MS;
        try (Selector selector = socket.provider().openSelector()) {
            socket.register(selector, SelectionKey.OP_READ);
            while (true) {
                joinMsg.rewind();
                try {
                    socket.write(joinMsg);
                } catch (PortUnreachableException e) {
                    // nobody there (yet): keep trying until the deadline
                }
                long until = Math.min(deadline, System.nanoTime() + rto * 1_000_000);
                while (System.nanoTime() - until < 0) {
                    selector.select(Math.max(1, (until - System.nanoTime()) / 1_000_000));
                    selector.selectedKeys().clear();
                    in.clear();
                    int n;
                    try {
                        n = socket.read(in);
                    } catch (PortUnreachableException e) {
                        n = 0;
                    }
                    if (n <= 0) continue;
                    in.flip();
                    if (n >= LANE_HEADER && in.getLong(0) == JOIN_ACK_MAGIC) return null;
                    return in; // the server already speaks: it got our JOIN
                }
                if (deadline - System.nanoTime() <= 0) {
                    throw new IpcTimeoutException(mechanism + " connect (no answer from the server to our JOIN)", timeout);
                }
                rto = Math.min(MAX_RTO_MS, rto * 2);
            }
        } finally {
            socket.configureBlocking(wasBlocking);
        }
    }

    static final int MAX_UDP_FRAME = 65_507 + LANE_HEADER + 1;

    void sendLaneQuietly(long magic, int seq) {
        synchronized (laneBuffer) {
            laneBuffer.clear();
            laneBuffer.putLong(magic).putInt(seq).flip();
            try {
                socket.write(laneBuffer); // lost or not sent: the sender retransmits and we acknowledge again
            } catch (IOException ignored) {
                // the peer is gone; the next receive reports it
            }
        }
    }

    private int deliver(ByteBuffer into, ByteBuffer from, int length) {
        if (into.remaining() < length) {
            throw new IllegalArgumentException("receive buffer has room for " + into.remaining()
                    + " bytes but the " + mechanism + " message has " + length + " (message dropped)");
        }
        int at = into.position();
        into.put(at, from, from.position(), length);
        into.position(at + length);
        return length;
    }

    private IOException translate(IOException e, String op) {
        return IoErrors.translate(mechanism, op, e, closed);
    }

    private void ensureOpen() throws IpcException {
        if (closed) throw new IpcException(mechanism + ": channel is closed");
    }

    /** One clamp for every timeout: {@link Units#nanos}. */
    private static long nanos(Duration d) {
        return Units.nanos(d);
    }

    /** Closes this end; a server end's socket is only disconnected ({@link #keepSocketOpen}), ready for the next client. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (readSelector != null) Listener.closeQuietly(readSelector);
        if (writeSelector != null) Listener.closeQuietly(writeSelector);
        writeDeadline.close();
        if (raw != null) {
            Listener.closeQuietly(raw);
            // A kept socket goes back to the JDK's own blocking receives: no receive timeout left on it.
            if (releaseSocket != null && currentSoTimeoutMs > 0) {
                try {
                    raw.setReceiveTimeout(0);
                } catch (IOException ignored) {
                    // the socket is being closed or reset anyway
                }
            }
        }
        AutoCloseable release = releaseSocket;
        if (release != null) {
            Listener.closeQuietly(release);
        } else {
            Listener.closeQuietly(socket);
        }
        for (AutoCloseable c : alsoClose) Listener.closeQuietly(c);
    }

    @Override
    public String toString() {
        return mechanism + " message channel";
    }
}
