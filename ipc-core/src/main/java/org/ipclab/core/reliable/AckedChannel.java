package org.ipclab.core.reliable;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import org.ipclab.core.Units;
import org.ipclab.core.Capability;
import org.ipclab.core.Channel;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.IpcTimeoutException;
import org.ipclab.core.MessageTooLargeException;
import org.ipclab.core.ProtocolException;

/**
 * Acknowledged messages over a channel that may lose or duplicate them (UDP), for the few that
 * must arrive — a protocol's control messages — while everything else passes through untouched,
 * with no header and no allocation.
 *
 * <p>Wire format (little-endian), only for what {@link #sendAcked} sends:
 * <pre>
 *   acknowledged message   u64 {@link #ACKED_MAGIC}  u32 seq  payload
 *   its acknowledgement    u64 {@link #ACK_MAGIC}    u32 seq
 * </pre>
 * Stop and wait: {@code sendAcked} sends, waits for the ACK, retransmits after a timeout that
 * doubles from {@link #FIRST_RTO} up to {@link #MAX_RTO}, and gives up with an
 * {@link IpcTimeoutException} when its own timeout runs out. The receiver acknowledges every copy
 * and delivers a sequence number once (a retransmission whose ACK was lost is dropped). Messages
 * that arrive while a sender waits for its ACK are kept, in order, for the next receive.
 *
 * <p>Both ends must wrap, or neither: {@link #over} decides from the mechanism's capabilities, so
 * the two sides of one mechanism always agree. A plain message of 12 bytes or more that starts
 * with one of the two magics would be taken for this layer's; the magics are chosen so that no
 * ipclab message does. Receive buffers must hold a control message plus its 12-byte header.
 * Acknowledgements are sent with {@code trySend} from the receiving thread: the inner channel must
 * allow that beside a sender (a datagram socket does; a lost ACK is repaired by the retransmit).
 */
public final class AckedChannel implements Channel {
    public static final long ACKED_MAGIC = 0x6B63_416C_6261_6C49L; // "IlablAck" read little-endian: acknowledged message
    public static final long ACK_MAGIC = 0x4B43_416C_6261_6C49L;   // "IlablACK": its acknowledgement
    public static final int HEADER = 12;
    static final Duration FIRST_RTO = Duration.ofMillis(20);
    static final Duration MAX_RTO = Duration.ofMillis(500);

    private final Channel inner;
    private final long firstRtoNanos;
    private final ReentrantLock readLock = new ReentrantLock();
    private final Deque<byte[]> pending = new ArrayDeque<>();
    private final ByteBuffer ack = ByteBuffer.allocateDirect(HEADER).order(ByteOrder.LITTLE_ENDIAN);
    private ByteBuffer frame = ByteBuffer.allocateDirect(256).order(ByteOrder.LITTLE_ENDIAN);
    private ByteBuffer scratch;
    private int nextSeq;
    private volatile int ackedSeq = -1;
    private int expectedSeq;

    AckedChannel(Channel inner, Duration firstRto) {
        this.inner = inner;
        this.firstRtoNanos = firstRto.toNanos();
    }

    /** {@code inner} wrapped when the mechanism does not promise {@link Capability#RELIABLE}; itself otherwise (and for notification channels, which carry no control messages). */
    public static Channel over(Channel inner, MechanismInfo mechanism) {
        if (mechanism.has(Capability.RELIABLE) || mechanism.has(Capability.NOTIFICATION) || inner instanceof AckedChannel) return inner;
        return new AckedChannel(inner, FIRST_RTO);
    }

    /** Sends {@code message} acknowledged when {@code channel} is an {@link AckedChannel}, plainly otherwise. */
    public static void send(Channel channel, ByteBuffer message, Duration timeout) throws IOException {
        if (channel instanceof AckedChannel) ((AckedChannel) channel).sendAcked(message, timeout);
        else channel.send(message, timeout);
    }

    /**
     * Sends one message and returns once the peer acknowledged it; retransmits until then.
     * The buffer's position is not changed.
     *
     * @throws IpcTimeoutException when no acknowledgement came within {@code timeout}
     */
    public void sendAcked(ByteBuffer message, Duration timeout) throws IOException {
        int length = message.remaining();
        if (length > inner.maxMessageSize() - HEADER) {
            throw new MessageTooLargeException("acknowledged message", length, inner.maxMessageSize() - HEADER);
        }
        if (frame.capacity() < HEADER + length) frame = ByteBuffer.allocateDirect(HEADER + length).order(ByteOrder.LITTLE_ENDIAN);
        int seq = nextSeq++;
        frame.clear();
        frame.putLong(0, ACKED_MAGIC).putInt(8, seq).put(HEADER, message, message.position(), length);
        frame.limit(HEADER + length);
        long start = System.nanoTime();
        long deadline = start + nanos(timeout);
        long rto = firstRtoNanos;
        int transmissions = 0;
        while (true) {
            inner.send(frame, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            transmissions++;
            long retransmitAt = Math.min(deadline, System.nanoTime() + rto);
            while (System.nanoTime() - retransmitAt < 0) {
                if (ackedSeq - seq >= 0) return;
                if (readLock.tryLock()) {
                    try {
                        awaitOne(retransmitAt);
                    } finally {
                        readLock.unlock();
                    }
                } else {
                    LockSupport.parkNanos(100_000); // another thread is receiving and records the ACK
                }
            }
            if (ackedSeq - seq >= 0) return;
            if (System.nanoTime() - deadline >= 0) {
                throw new IpcTimeoutException("acknowledged message " + seq + ": no acknowledgement after "
                        + transmissions + " transmissions", timeout);
            }
            rto = Math.min(MAX_RTO.toNanos(), rto * 2);
        }
    }

    /** While a sender waits for its ACK: read one message (until {@code until}) and keep it if it is for the next receive. */
    private void awaitOne(long until) throws IOException {
        if (scratch == null) scratch = ByteBuffer.allocateDirect(inner.maxMessageSize() + 1).order(ByteOrder.LITTLE_ENDIAN);
        scratch.clear();
        int n;
        try {
            n = inner.receive(scratch, Duration.ofNanos(Math.max(1, until - System.nanoTime())));
        } catch (IpcTimeoutException slice) {
            return;
        }
        if (n < 0) throw new org.ipclab.core.PeerGoneException("acknowledged message: the peer closed the channel before acknowledging");
        int payload = classify(scratch, 0, n);
        if (payload < 0) return;
        byte[] copy = new byte[payload];
        scratch.get(0, copy);
        synchronized (pending) {
            pending.addLast(copy);
        }
    }

    @Override
    public void send(ByteBuffer message, Duration timeout) throws IOException {
        inner.send(message, timeout);
    }

    @Override
    public boolean trySend(ByteBuffer message) throws IOException {
        return inner.trySend(message);
    }

    @Override
    public int receive(ByteBuffer into, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + nanos(timeout);
        readLock.lock();
        try {
            while (true) {
                int kept = pollPending(into);
                if (kept != NO_MESSAGE) return kept;
                int start = into.position();
                int n = inner.receive(into, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                if (n < 0) return n;
                int payload = classify(into, start, n);
                if (payload >= 0) return payload;
                if (System.nanoTime() - deadline >= 0) throw new IpcTimeoutException("receive", timeout);
            }
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public int tryReceive(ByteBuffer into) throws IOException {
        if (!readLock.tryLock()) return NO_MESSAGE; // a sender is reading for its ACK; what it finds is kept for us
        try {
            while (true) {
                int kept = pollPending(into);
                if (kept != NO_MESSAGE) return kept;
                int start = into.position();
                int n = inner.tryReceive(into);
                if (n < 0) return n;
                int payload = classify(into, start, n);
                if (payload >= 0) return payload;
            }
        } finally {
            readLock.unlock();
        }
    }

    /**
     * Looks at the {@code n}-byte message at {@code start} of {@code b}: an ACK is recorded, an
     * acknowledged message is acknowledged and — unless it is a duplicate — moved to {@code start}
     * without its header. Returns the length to deliver (the position just past it), or -1 when
     * nothing is to be delivered (the position back at {@code start}).
     */
    private int classify(ByteBuffer b, int start, int n) {
        if (n < HEADER) return n;
        long magic = le64(b, start);
        if (magic == ACK_MAGIC && n == HEADER) {
            int seq = le32(b, start + 8);
            if (seq - ackedSeq > 0) ackedSeq = seq;
            b.position(start);
            return -1;
        }
        if (magic != ACKED_MAGIC) return n;
        int seq = le32(b, start + 8);
        acknowledge(seq);
        if (seq - expectedSeq < 0) { // a retransmission whose first copy we delivered: its ACK was lost
            b.position(start);
            return -1;
        }
        expectedSeq = seq + 1;
        int payload = n - HEADER;
        for (int i = 0; i < payload; i++) b.put(start + i, b.get(start + HEADER + i)); // small: control messages
        b.position(start + payload);
        return payload;
    }

    private void acknowledge(int seq) {
        synchronized (ack) {
            ack.clear();
            ack.putLong(0, ACK_MAGIC).putInt(8, seq);
            try {
                inner.trySend(ack); // lost or not sent: the sender retransmits and we acknowledge again
            } catch (IOException | RuntimeException ignored) {
                // the peer is gone; the next receive reports it
            }
        }
    }

    private int pollPending(ByteBuffer into) throws ProtocolException {
        byte[] first;
        synchronized (pending) {
            if (pending.isEmpty()) return NO_MESSAGE;
            if (into.remaining() < pending.peekFirst().length) {
                throw new ProtocolException("receive buffer has room for " + into.remaining() + " bytes; the kept message has " + pending.peekFirst().length);
            }
            first = pending.pollFirst();
        }
        into.put(first);
        return first.length;
    }

    private static long le64(ByteBuffer b, int at) {
        long v = b.getLong(at);
        return b.order() == ByteOrder.LITTLE_ENDIAN ? v : Long.reverseBytes(v);
    }

    private static int le32(ByteBuffer b, int at) {
        int v = b.getInt(at);
        return b.order() == ByteOrder.LITTLE_ENDIAN ? v : Integer.reverseBytes(v);
    }

    /** One clamp for every timeout: {@link Units#nanos}. */
    private static long nanos(Duration d) {
        return Units.nanos(d);
    }

    @Override
    public String peer() {
        return inner.peer();
    }

    @Override
    public int maxMessageSize() {
        return inner.maxMessageSize();
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }

    @Override
    public String toString() {
        return "acknowledged " + inner;
    }
}
