package org.ipclab.aeron;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.ReservedValueSupplier;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.ipclab.agrona.IdleWait;
import org.ipclab.agrona.PollingWait;
import org.ipclab.core.BadInputException;
import org.ipclab.core.Channel;
import org.ipclab.core.IpcException;
import org.ipclab.core.MessageTooLargeException;
import org.ipclab.core.PeerGoneException;
import org.ipclab.core.PeerLiveness;
import org.ipclab.core.ProtocolException;

/**
 * One end of an Aeron channel: an {@link ExclusivePublication} on {@code aeron:ipc} to the other
 * process and the {@link Image} of the other's publication. Both are log buffers in files under
 * the driver's directory that both processes map: an offer copies the message into the
 * publication's term (fragments of {@code mtu} bytes, each with a 32-byte frame header) and the
 * image is polled in place. The media driver is not on this path; it only moves the publisher's
 * limit as the subscriber advances.
 *
 * <p>A message larger than one fragment is reassembled straight into the caller's buffer; its
 * total length travels in the first frame's reserved value, so a buffer that is too small is
 * refused before anything of the message is consumed.
 */
final class AeronChannel implements Channel, ControlledFragmentHandler {
    private static final String NAME = AeronProvider.NAME;

    private final ExclusivePublication out;
    private final Image in;
    private final AutoCloseable onClose;
    private final PeerLiveness peer;
    private final PollingWait sendWait;
    private final PollingWait receiveWait;
    private final int maxMessage;
    private static final UnsafeBuffer EMPTY = new UnsafeBuffer(new byte[8]);
    private final UnsafeBuffer sendView = new UnsafeBuffer(EMPTY);
    private int sendLength;
    private final ReservedValueSupplier totalLength = this::totalLength;

    // The receive in progress, for onFragment (no allocation per message).
    private ByteBuffer target;
    private int start;
    private boolean assembling;
    private int received;
    private int tooLarge;

    private volatile boolean closed;

    /** @param onClose what closing this end releases besides the publication (the peer's whole Aeron client) */
    AeronChannel(ExclusivePublication out, Image in, IdleWait wait, PeerLiveness peer, AutoCloseable onClose) {
        this.out = out;
        this.in = in;
        this.peer = peer;
        // Made once here, so a send or receive that waits allocates nothing; a sent message ends the wait with 0.
        this.sendWait = new PollingWait(wait, m -> trySend(m) ? 0 : PollingWait.NOT_YET, this::checkPeer,
                NAME + " send (back-pressured: the peer did not consume)");
        this.receiveWait = new PollingWait(wait, this::tryReceive, this::checkPeer, NAME + " receive");
        this.onClose = onClose;
        this.maxMessage = out.maxMessageLength();
    }

    @Override
    public int maxMessageSize() {
        return maxMessage;
    }

    private long totalLength(DirectBuffer termBuffer, int termOffset, int frameLength) {
        return sendLength;
    }

    @Override
    public boolean trySend(ByteBuffer message) throws IOException {
        int length = message.remaining();
        if (length > maxMessage) throw new MessageTooLargeException(NAME, length, maxMessage);
        if (closed) throw new IpcException(NAME + ": channel is closed");
        DirectBuffer src = EMPTY;
        if (length > 0) {
            sendView.wrap(message, message.position(), length);
            src = sendView;
        }
        sendLength = length;
        long result = out.offer(src, 0, length, totalLength);
        if (result > 0) return true;
        if (result == Publication.BACK_PRESSURED || result == Publication.ADMIN_ACTION) return false;
        if (result == Publication.NOT_CONNECTED) throw new PeerGoneException(NAME + ": " + peer + " closed its end (no subscriber)");
        if (result == Publication.CLOSED) throw new IpcException(NAME + ": the publication is closed");
        throw new IpcException(NAME + ": offer failed (" + Publication.errorString(result) + ")");
    }

    @Override
    public void send(ByteBuffer message, Duration timeout) throws IOException {
        if (!trySend(message)) sendWait.await(message, timeout);
    }

    @Override
    public int tryReceive(ByteBuffer into) throws IOException {
        if (closed) throw new IpcException(NAME + ": channel is closed");
        int n = pollOne(into);
        if (n != NO_MESSAGE) return n;
        if (!in.isEndOfStream() && !in.isClosed()) return NO_MESSAGE;
        n = pollOne(into); // the last message before the end?
        return n != NO_MESSAGE ? n : END_OF_STREAM;
    }

    /**
     * Polls up to one whole message. Once its first fragment is taken the rest is finished here:
     * one offer writes all fragments at once, so they are at most a copy away — unless the
     * publisher died in the middle, which the liveness check turns into an error.
     */
    private int pollOne(ByteBuffer into) throws IOException {
        target = into;
        received = NO_MESSAGE;
        tooLarge = -1;
        try {
            in.controlledPoll(this, Integer.MAX_VALUE);
            long nextCheck = 0;
            while (assembling) {
                Thread.onSpinWait();
                in.controlledPoll(this, Integer.MAX_VALUE);
                long now = System.nanoTime();
                if (nextCheck == 0) nextCheck = now + PollingWait.CHECK_NANOS;
                else if (now - nextCheck >= 0) {
                    if (in.isClosed() || in.isEndOfStream()) throw new ProtocolException(NAME + ": the stream ended inside a message");
                    checkPeer();
                    nextCheck = now + PollingWait.CHECK_NANOS;
                }
            }
        } finally {
            target = null;
        }
        if (tooLarge >= 0) {
            throw new BadInputException("receive buffer has room for " + into.remaining() + " bytes; the message has " + tooLarge);
        }
        return received;
    }

    @Override
    public Action onFragment(DirectBuffer buffer, int offset, int length, Header header) {
        ByteBuffer into = target;
        byte flags = header.flags();
        if ((flags & FrameDescriptor.BEGIN_FRAG_FLAG) != 0) {
            long total = header.reservedValue();
            if (total < 0 || total > maxMessage) total = length; // a publisher that is not ours: trust the fragment
            if (into.remaining() < total) {
                tooLarge = (int) total;
                return Action.ABORT;
            }
            start = into.position();
            assembling = true;
        } else if (!assembling) {
            return Action.CONTINUE; // a tail without its head (we joined mid-message): not ours to deliver
        }
        int at = into.position();
        if (into.limit() - at < length) {
            assembling = false;
            tooLarge = at - start + length;
            return Action.BREAK;
        }
        buffer.getBytes(offset, into, at, length);
        into.position(at + length);
        if ((flags & FrameDescriptor.END_FRAG_FLAG) != 0) {
            assembling = false;
            received = into.position() - start;
            return Action.BREAK;
        }
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

    /**
     * Closes our publication: the driver marks its end-of-stream position, and the other side's
     * receive returns END_OF_STREAM once it consumed up to it. Idempotent.
     */
    @Override
    public synchronized void close() throws IOException {
        if (closed) return;
        closed = true;
        try {
            out.close();
            if (onClose != null) onClose.close();
        } catch (Exception e) {
            throw new IpcException(NAME + ": close failed: " + e.getMessage(), e);
        }
    }
}
