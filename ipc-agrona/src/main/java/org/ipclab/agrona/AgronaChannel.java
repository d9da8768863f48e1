package org.ipclab.agrona;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.ipclab.core.BadInputException;
import org.ipclab.core.Channel;
import org.ipclab.core.IpcException;
import org.ipclab.core.MessageTooLargeException;
import org.ipclab.core.PeerGoneException;
import org.ipclab.core.PeerLiveness;
import org.ipclab.core.ProtocolException;

/**
 * One end of an Agrona channel: producer of one {@link OneToOneRingBuffer}, consumer of the other.
 * A send claims a record ({@code tryClaim}: the length is stored negative, "being written"),
 * copies the message in and commits (the length turns positive with a release store). A receive
 * polls the length word of the next record itself, not the producer's tail counter: the record
 * header is the only cache line that moves per message, besides the payload.
 *
 * <p>End of stream is a flag in the segment header ({@link AgronaSegment#SERVER_CLOSED_OFFSET}),
 * read only when the ring is empty, so closing never waits for room in a full ring.
 */
final class AgronaChannel implements Channel, ControlledMessageHandler {
    static final int DATA = 1;
    private static final String NAME = AgronaProvider.NAME;

    private final AgronaSegment segment;
    private final OneToOneRingBuffer out;
    private final OneToOneRingBuffer in;
    private final MutableDirectBuffer outBuffer;
    private final int ourClosedFlag;
    private final int theirClosedFlag;
    private final int maxMessage;
    private final PeerLiveness peer;
    private final PollingWait sendWait;
    private final PollingWait receiveWait;

    // The receive in progress, for onMessage (no allocation per message).
    private ByteBuffer target;
    private int received;
    private int tooLarge;
    private int badType;

    private volatile boolean closed;

    /** @param server true for the end that created the segment: it sends on ring 0 */
    AgronaChannel(AgronaSegment segment, boolean server, IdleWait wait, PeerLiveness peer) {
        this.segment = segment;
        UnsafeBuffer outRing = server ? segment.ring0 : segment.ring1;
        this.out = new OneToOneRingBuffer(outRing);
        this.in = new OneToOneRingBuffer(server ? segment.ring1 : segment.ring0);
        this.outBuffer = outRing;
        this.ourClosedFlag = server ? AgronaSegment.SERVER_CLOSED_OFFSET : AgronaSegment.PEER_CLOSED_OFFSET;
        this.theirClosedFlag = server ? AgronaSegment.PEER_CLOSED_OFFSET : AgronaSegment.SERVER_CLOSED_OFFSET;
        this.maxMessage = out.maxMsgLength();
        this.peer = peer;
        // Made once here, so a send or receive that waits allocates nothing; a sent message ends the wait with 0.
        this.sendWait = new PollingWait(wait, m -> trySend(m) ? 0 : PollingWait.NOT_YET, this::checkPeer,
                NAME + " send (the peer did not make room)");
        this.receiveWait = new PollingWait(wait, this::tryReceive, this::checkPeer, NAME + " receive");
    }

    @Override
    public int maxMessageSize() {
        return maxMessage;
    }

    @Override
    public boolean trySend(ByteBuffer message) throws IOException {
        int length = message.remaining();
        if (length > maxMessage) throw new MessageTooLargeException(NAME, length, maxMessage);
        if (closed) throw new IpcException(NAME + ": channel is closed");
        if (segment.closedFlag(theirClosedFlag)) throw new PeerGoneException(NAME + ": " + peer + " closed its end");
        int index = out.tryClaim(DATA, length);
        if (index < 0) return false; // RingBuffer.INSUFFICIENT_CAPACITY
        outBuffer.putBytes(index, message, message.position(), length);
        out.commit(index);
        return true;
    }

    @Override
    public void send(ByteBuffer message, Duration timeout) throws IOException {
        if (!trySend(message)) sendWait.await(message, timeout);
    }

    @Override
    public int tryReceive(ByteBuffer into) throws IOException {
        if (closed) throw new IpcException(NAME + ": channel is closed");
        int n = readOne(into);
        if (n != NO_MESSAGE) return n;
        if (!segment.closedFlag(theirClosedFlag)) return NO_MESSAGE;
        n = readOne(into); // a last record committed before the close?
        return n != NO_MESSAGE ? n : END_OF_STREAM;
    }

    /** One record, skipping Agrona's padding record at the end of the ring (a read stops at the wrap). */
    private int readOne(ByteBuffer into) throws IOException {
        target = into;
        received = NO_MESSAGE;
        tooLarge = -1;
        badType = 0;
        long head = in.consumerPosition();
        if (in.controlledRead(this, 1) == 0 && in.consumerPosition() != head) in.controlledRead(this, 1);
        target = null;
        if (tooLarge >= 0) {
            throw new BadInputException("receive buffer has room for " + into.remaining() + " bytes; the message has " + tooLarge);
        }
        if (badType != 0) throw new ProtocolException(NAME + ": record of type " + badType + " is not a message");
        return received;
    }

    /** Agrona calls this with the record in the ring: copy it out, or leave it there (ABORT) when it does not fit. */
    @Override
    public Action onMessage(int msgTypeId, MutableDirectBuffer buffer, int index, int length) {
        if (msgTypeId != DATA) {
            badType = msgTypeId;
            return Action.CONTINUE;
        }
        ByteBuffer into = target;
        if (into.remaining() < length) {
            tooLarge = length;
            return Action.ABORT;
        }
        int at = into.position();
        buffer.getBytes(index, into, at, length);
        into.position(at + length);
        received = length;
        return Action.CONTINUE;
    }

    @Override
    public int receive(ByteBuffer into, Duration timeout) throws IOException {
        int n = tryReceive(into);
        return n != NO_MESSAGE ? n : receiveWait.await(into, timeout);
    }

    private void checkPeer() throws IOException {
        if (closed) throw new IpcException(NAME + ": channel is closed");
        if (!peer.alive()) throw new PeerGoneException(NAME + ": " + peer + " died while we waited");
    }

    boolean isClosed() {
        return closed;
    }

    /** Ends our stream (the peer's receive returns END_OF_STREAM once it drained the ring) and stops reading. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        segment.header.putIntVolatile(ourClosedFlag, 1);
        // The mapping goes when the segment is garbage-collected (Java 17 has no unmap; Agrona's
        // IoUtil.unmap would crash a thread still inside a copy).
    }
}
