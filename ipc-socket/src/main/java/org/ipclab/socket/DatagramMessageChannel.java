package org.ipclab.socket;

import java.io.IOException;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.locks.ReentrantLock;

import org.ipclab.core.BadInputException;
import org.ipclab.core.Channel;
import org.ipclab.core.IpcException;
import org.ipclab.core.IpcTimeoutException;
import org.ipclab.core.MessageTooLargeException;
import org.ipclab.core.PeerGoneException;
import org.ipclab.core.peer.Control;

/**
 * A {@link Channel} over a connected message socket — UDP, Unix {@code SOCK_DGRAM} or
 * {@code SOCK_SEQPACKET} — where the kernel keeps the boundaries: one {@code send} is one datagram,
 * no framing header.
 *
 * <p>The socket is non-blocking; a call that must wait polls a {@link Selector} with the remaining
 * time, so a timeout leaves the channel usable (unlike a byte stream, a datagram socket is never in
 * the middle of a message). The cost is one extra {@code epoll_wait}/{@code poll} per wait.
 *
 * <p><b>Lossy transports (UDP).</b> With {@code reliableControl}, ipclab's own control messages
 * ({@link Control}: HELLO, SINK_END, STATS, STOP) travel in a tiny stop-and-wait lane: wrapped as
 * {@code [CTL magic][u32 seq][control message]}, acknowledged by {@code [ACK magic][u32 seq]},
 * retransmitted with a doubling timeout until acknowledged, duplicates dropped by sequence number.
 * Benchmark data is sent raw and may be lost, which the runner reports; but a lost SINK_END or
 * STATS would otherwise turn a lossy run into a 10-second timeout and a failed run.
 */
class DatagramMessageChannel implements Channel {
    static final long CTL_MAGIC = 0x6354_5044_554C_4349L; // "ICLUDPTc" little-endian: reliable control message
    static final long ACK_MAGIC = 0x6154_5044_554C_4349L; // "ICLUDPTa": its acknowledgement
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
    private final boolean reliableControl;
    private final AutoCloseable[] alsoClose;
    private final Selector readSelector;
    private final Selector writeSelector;
    private final ByteBuffer rx;
    private final ReentrantLock readLock = new ReentrantLock();
    private final Deque<byte[]> pending = new ArrayDeque<>();
    private final ByteBuffer ackBuffer = ByteBuffer.allocateDirect(LANE_HEADER).order(ByteOrder.LITTLE_ENDIAN);
    private final java.net.DatagramSocket blockingSocket;
    private final org.ipclab.core.internal.Deadline writeDeadline = new org.ipclab.core.internal.Deadline(this::close);
    private int currentSoTimeoutMs = -1;
    private boolean waitFirst;
    private volatile boolean closed;
    private volatile String peerGone;
    private volatile int ackedSeq = -1;
    private int nextCtlSeq;
    private int expectedCtlSeq;

    /**
     * @param endOfStreamOnMinusOne true for SOCK_SEQPACKET: a read of -1 is the peer's orderly close
     * @param reliableControl        true for UDP: control messages are acknowledged and retransmitted
     */
    DatagramMessageChannel(String mechanism, DatagramChannel socket, int maxMessageSize, boolean endOfStreamOnMinusOne,
                           boolean reliableControl, AutoCloseable... alsoClose) throws IOException {
        this(mechanism, socket, maxMessageSize, endOfStreamOnMinusOne, reliableControl, null, alsoClose);
    }

    /**
     * @param soTimeout for junixsocket sockets: waits are blocking reads bounded by SO_TIMEOUT
     *                  (SO_RCVTIMEO), one syscall per receive like C, instead of non-blocking reads
     *                  plus junixsocket's poll-based selector (measured ~30% slower per round trip);
     *                  null for JDK sockets, whose epoll selector is cheap
     */
    DatagramMessageChannel(String mechanism, DatagramChannel socket, int maxMessageSize, boolean endOfStreamOnMinusOne,
                           boolean reliableControl, java.net.DatagramSocket soTimeout, AutoCloseable... alsoClose) throws IOException {
        this.blockingSocket = soTimeout;
        this.mechanism = mechanism;
        this.socket = socket;
        this.maxMessageSize = maxMessageSize;
        this.endOfStreamOnMinusOne = endOfStreamOnMinusOne;
        this.reliableControl = reliableControl;
        this.alsoClose = alsoClose;
        if (blockingSocket != null) {
            if (reliableControl) throw new IllegalArgumentException("the acknowledged lane needs the selector mode");
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
        this.rx = ByteBuffer.allocateDirect(maxMessageSize + LANE_HEADER + 1).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A message that arrived before this channel existed (the datagram that told the server who its peer is). */
    void pushFirst(ByteBuffer message) {
        ByteBuffer b = rx;
        b.clear();
        b.put(message.duplicate()).flip();
        byte[] copy;
        if (reliableControl && isLane(b, b.remaining(), CTL_MAGIC)) {
            int seq = b.getInt(8);
            sendAckQuietly(seq);
            expectedCtlSeq = seq + 1;
            copy = new byte[b.remaining() - LANE_HEADER];
            b.position(LANE_HEADER);
        } else {
            copy = new byte[b.remaining()];
        }
        b.get(copy);
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

    // ---------------------------------------------------------------- send

    @Override
    public void send(ByteBuffer message, Duration timeout) throws IOException {
        checkSize(message);
        if (reliableControl && isControl(message)) {
            sendReliably(message, timeout);
            return;
        }
        ByteBuffer m = message.duplicate();
        if (blockingSocket != null) {
            sendBlocking(m, timeout);
            return;
        }
        long deadline = System.nanoTime() + nanos(timeout);
        while (true) {
            if (write(m) > 0) return;
            awaitWritable(deadline, timeout);
        }
    }

    /** A blocking send; the deadline closes the channel to wake it (a full peer queue that never drains). */
    private void sendBlocking(ByteBuffer m, Duration timeout) throws IOException {
        ensureOpen();
        writeDeadline.arm(timeout);
        try {
            socket.write(m);
        } catch (IOException e) {
            if (!writeDeadline.disarm()) throw new IpcTimeoutException(mechanism + " send (peer not reading; channel closed)", timeout);
            throw translate(e, "send");
        }
        if (!writeDeadline.disarm()) throw new IpcTimeoutException(mechanism + " send (channel closed)", timeout);
    }

    @Override
    public boolean trySend(ByteBuffer message) throws IOException {
        checkSize(message);
        if (reliableControl && isControl(message)) {
            sendReliably(message, Duration.ofSeconds(30));
            return true;
        }
        if (blockingSocket == null) return write(message.duplicate()) > 0;
        synchronized (socket.blockingLock()) {
            socket.configureBlocking(false);
            try {
                return write(message.duplicate()) > 0;
            } finally {
                socket.configureBlocking(true);
            }
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

    private int write(ByteBuffer m) throws IOException {
        ensureOpen();
        try {
            return socket.write(m);
        } catch (IOException e) {
            throw translate(e, "send");
        }
    }

    private void awaitWritable(long deadline, Duration timeout) throws IOException {
        long left = deadline - System.nanoTime();
        if (peerGone != null) throw new PeerGoneException(mechanism + " send: " + peerGone);
        if (left <= 0) throw new IpcTimeoutException(mechanism + " send (peer not reading)", timeout);
        writeSelector.select(Math.max(1, Math.min(POLL_SLICE_MS, left / 1_000_000)));
        writeSelector.selectedKeys().clear();
    }

    private void sendReliably(ByteBuffer message, Duration timeout) throws IOException {
        int seq = nextCtlSeq++;
        ByteBuffer frame = ByteBuffer.allocateDirect(LANE_HEADER + message.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        frame.putLong(CTL_MAGIC).putInt(seq).put(message.duplicate()).flip();
        long deadline = System.nanoTime() + nanos(timeout);
        long rto = FIRST_RTO_MS;
        while (true) {
            frame.rewind();
            while (write(frame) == 0) awaitWritable(deadline, timeout);
            long retransmitAt = Math.min(deadline, System.nanoTime() + rto * 1_000_000);
            while (System.nanoTime() - retransmitAt < 0) {
                if (ackedSeq - seq >= 0) return;
                if (readLock.tryLock()) {
                    try {
                        long waitMs = Math.max(1, (retransmitAt - System.nanoTime()) / 1_000_000);
                        readSelector.select(waitMs);
                        readSelector.selectedKeys().clear();
                        drainIntoPending();
                    } finally {
                        readLock.unlock();
                    }
                } else {
                    Thread.onSpinWait();
                    Thread.yield(); // another thread is receiving and will record the acknowledgement
                }
                if (peerGone != null) throw new PeerGoneException(mechanism + " send: " + peerGone);
            }
            if (ackedSeq - seq >= 0) return;
            if (deadline - System.nanoTime() <= 0) {
                throw new IpcTimeoutException(mechanism + " control message (no acknowledgement from the peer)", timeout);
            }
            rto = Math.min(MAX_RTO_MS, rto * 2);
        }
    }

    /** While waiting for an acknowledgement: keep whatever else arrives for the next receive. */
    private void drainIntoPending() throws IOException {
        while (true) {
            int n = readOne();
            if (n <= 0) return;
            int delivered = classify(n);
            if (delivered >= 0) {
                byte[] copy = new byte[delivered];
                rx.get(copy);
                synchronized (pending) {
                    pending.addLast(copy);
                }
            }
        }
    }

    // ---------------------------------------------------------------- receive

    @Override
    public int receive(ByteBuffer into, Duration timeout) throws IOException {
        if (blockingSocket != null) return receiveBlocking(into, timeout);
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
     */
    private int receiveBlocking(ByteBuffer into, Duration timeout) throws IOException {
        ensureOpen();
        int kept = pollPending(into);
        if (kept != NO_MESSAGE) return kept;
        long deadline = System.nanoTime() + nanos(timeout);
        readLock.lock();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new IpcTimeoutException(mechanism + " receive", timeout);
                int slice = (int) Math.max(1, Math.min(POLL_SLICE_MS, (left + 999_999) / 1_000_000));
                if (slice != currentSoTimeoutMs) {
                    blockingSocket.setSoTimeout(slice);
                    currentSoTimeoutMs = slice;
                }
                int n = readOne();
                if (n > 0) return deliver(into, rx, n);
                if (n == END_OF_STREAM || (n == 0 && endOfStreamOnMinusOne)) {
                    int again = readNonBlocking();
                    if (again == END_OF_STREAM) return END_OF_STREAM;
                    if (again > 0) return deliver(into, rx, again);
                }
                if (peerGone != null) throw new PeerGoneException(mechanism + " receive: " + peerGone);
            }
        } finally {
            readLock.unlock();
        }
    }

    private boolean pendingIsEmpty() {
        synchronized (pending) {
            return pending.isEmpty();
        }
    }

    /** A message kept aside (the first one, or one that came while a sender waited for its ACK), else NO_MESSAGE. */
    private int pollPending(ByteBuffer into) {
        byte[] first;
        synchronized (pending) {
            first = pending.pollFirst();
        }
        return first == null ? NO_MESSAGE : deliver(into, ByteBuffer.wrap(first), first.length);
    }

    private int readNonBlocking() throws IOException {
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
        if (blockingSocket != null) {
            ensureOpen();
            int kept = pollPending(into);
            if (kept != NO_MESSAGE) return kept;
            readLock.lock();
            try {
                int n = readNonBlocking();
                return n == 0 ? NO_MESSAGE : n < 0 ? END_OF_STREAM : deliver(into, rx, n);
            } finally {
                readLock.unlock();
            }
        }
        ensureOpen();
        int kept = pollPending(into);
        if (kept != NO_MESSAGE) return kept;
        readLock.lock();
        try {
            while (true) {
                int n = readOne();
                if (n == END_OF_STREAM) return END_OF_STREAM;
                if (n == 0) return NO_MESSAGE;
                int payload = reliableControl ? classify(n) : n;
                if (payload >= 0) return deliver(into, rx, payload);
            }
        } finally {
            readLock.unlock();
        }
    }

    /** One datagram into {@link #rx} (flipped); its length, 0 when none is waiting, or END_OF_STREAM. */
    private int readOne() throws IOException {
        rx.clear();
        int n;
        try {
            n = socket.read(rx);
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
        if (n > maxMessageSize + (reliableControl ? LANE_HEADER : 0)) {
            throw new IpcException(mechanism + ": received a datagram over the limit of " + maxMessageSize + " bytes; dropped");
        }
        return n;
    }

    /**
     * Handles the reliable-control lane for a datagram of {@code n} bytes in {@link #rx}: returns the
     * payload length to deliver (rx positioned at it), or -1 when the datagram was an ACK or a duplicate.
     */
    private int classify(int n) {
        if (isLane(rx, n, ACK_MAGIC)) {
            int seq = rx.getInt(8);
            if (seq - ackedSeq > 0) ackedSeq = seq;
            return -1;
        }
        if (isLane(rx, n, JOIN_MAGIC)) {
            sendLaneQuietly(JOIN_ACK_MAGIC, 0); // our first JOIN_ACK was lost: the client asks again
            return -1;
        }
        if (isLane(rx, n, JOIN_ACK_MAGIC)) return -1; // a duplicate
        if (isLane(rx, n, CTL_MAGIC)) {
            int seq = rx.getInt(8);
            sendAckQuietly(seq);
            if (seq - expectedCtlSeq < 0) return -1; // a retransmission whose first copy we already delivered
            expectedCtlSeq = seq + 1;
            rx.position(LANE_HEADER);
            return n - LANE_HEADER;
        }
        return n;
    }

    /** True when {@code b} (from position 0) is a JOIN datagram. */
    static boolean isJoin(ByteBuffer b) {
        return b.remaining() >= LANE_HEADER && b.order(ByteOrder.LITTLE_ENDIAN).getLong(0) == JOIN_MAGIC;
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

    /** True when the message is one of ipclab's {@link Control} messages (checked without allocating). */
    static boolean isControl(ByteBuffer m) {
        if (m.remaining() < LANE_HEADER) return false;
        long first = m.getLong(m.position());
        return first == (m.order() == ByteOrder.LITTLE_ENDIAN ? Control.MAGIC : Long.reverseBytes(Control.MAGIC));
    }

    private static boolean isLane(ByteBuffer b, int n, long magic) {
        return n >= LANE_HEADER && b.getLong(b.position()) == magic;
    }

    private void sendAckQuietly(int seq) {
        sendLaneQuietly(ACK_MAGIC, seq);
    }

    void sendLaneQuietly(long magic, int seq) {
        synchronized (ackBuffer) {
            ackBuffer.clear();
            ackBuffer.putLong(magic).putInt(seq).flip();
            try {
                socket.write(ackBuffer); // lost or not sent: the sender retransmits and we acknowledge again
            } catch (IOException ignored) {
                // the peer is gone; the next receive reports it
            }
        }
    }

    private int deliver(ByteBuffer into, ByteBuffer from, int length) {
        if (into.remaining() < length) {
            throw new BadInputException("receive buffer has room for " + into.remaining()
                    + " bytes but the " + mechanism + " message has " + length + " (message dropped)");
        }
        ByteBuffer src = from.duplicate();
        src.limit(src.position() + length);
        into.put(src);
        return length;
    }

    private IOException translate(IOException e, String op) {
        if (e instanceof IpcException) return e;
        if (closed || e instanceof AsynchronousCloseException || e instanceof ClosedChannelException) {
            return new IpcException(mechanism + " " + op + ": channel closed");
        }
        String m = String.valueOf(e.getMessage());
        if (e instanceof PortUnreachableException || m.contains("refused") || m.contains("Broken pipe")
                || m.contains("reset") || e.getClass().getSimpleName().contains("ConnectionRefused")) {
            return new PeerGoneException(mechanism + " " + op + ": the peer's socket is gone (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + m) + ")", e);
        }
        return new IpcException(mechanism + " " + op + " failed: " + m, e);
    }

    private void ensureOpen() throws IpcException {
        if (closed) throw new IpcException(mechanism + ": channel is closed");
    }

    private static long nanos(Duration d) {
        try {
            return Math.max(0, d.toNanos());
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE / 4;
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (readSelector != null) Listener.closeQuietly(readSelector);
        if (writeSelector != null) Listener.closeQuietly(writeSelector);
        writeDeadline.close();
        Listener.closeQuietly(socket);
        for (AutoCloseable c : alsoClose) Listener.closeQuietly(c);
    }

    @Override
    public String toString() {
        return mechanism + " message channel";
    }
}
