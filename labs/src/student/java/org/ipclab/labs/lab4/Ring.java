package org.ipclab.labs.lab4;

import java.nio.ByteBuffer;

import org.ipclab.core.Channel;
import org.ipclab.core.ProtocolException;

/**
 * Lab 4, task 1: one direction of the channel, a single-producer single-consumer ring in shared memory.
 * Read {@link RingLayout} first: HEAD and TAIL only grow, a message is [u32 length][payload], and the
 * bytes may wrap around the end of the data area. The helpers at the bottom do the wrapping for you.
 */
public final class Ring {
    private static final int MASK = RingLayout.CAPACITY - 1;
    private final ByteBuffer shared;
    private final int base;

    /** The ring at byte offset {@code base} of a direct buffer (the mapped segment). */
    public Ring(ByteBuffer shared, int base) {
        this.shared = shared;
        this.base = base;
    }

    /** Writer: appends one message if it fits now; false (nothing written) when the reader has not made room yet. */
    public boolean offer(ByteBuffer message) {
        // TODO(lab4) task 1: head = getAcquire(HEAD) (the reader's progress), tail = get(TAIL) (yours);
        //   if CAPACITY - (tail - head) < HEADER + length: return false (nothing written).
        //   Write the 4 length bytes (little-endian) with putByte(tail + i, ...), the payload with copyIn(tail + HEADER, message.duplicate()),
        //   THEN setRelease(TAIL, tail + HEADER + length): the reader must never see the new TAIL before the bytes.
        throw new UnsupportedOperationException("TODO(lab4): Ring.offer");
    }

    /**
     * Reader: takes one message into {@code into} (from its position) and returns its length;
     * {@link Channel#NO_MESSAGE} when the ring is empty; {@link Channel#END_OF_STREAM} when it is empty and the writer closed.
     */
    public int poll(ByteBuffer into) throws ProtocolException {
        // TODO(lab4) task 1: tail = getAcquire(TAIL) (the writer's progress), head = get(HEAD) (yours).
        //   Empty (tail == head): END_OF_STREAM if CLOSED is set (read it with getVolatile, then re-check TAIL), else NO_MESSAGE.
        //   Otherwise read the 4 length bytes with getByte(head + i); refuse a length < 0, > MAX_MESSAGE or beyond TAIL
        //   (ProtocolException), and one that does not fit into.remaining(); copyOut(head + HEADER, into, length);
        //   THEN setRelease(HEAD, head + HEADER + length): the writer may reuse those bytes only after we read them.
        throw new UnsupportedOperationException("TODO(lab4): Ring.poll");
    }

    /** Writer: no more messages will come. */
    public void close() {
        // TODO(lab4) task 1: set CLOSED to 1 (setVolatile).
        throw new UnsupportedOperationException("TODO(lab4): Ring.close");
    }

    private void putByte(long pos, byte b) {
        shared.put(base + RingLayout.DATA + (int) (pos & MASK), b);
    }

    private byte getByte(long pos) {
        return shared.get(base + RingLayout.DATA + (int) (pos & MASK));
    }

    private void copyIn(long pos, ByteBuffer src) {
        int at = (int) (pos & MASK);
        int first = Math.min(src.remaining(), RingLayout.CAPACITY - at);
        shared.put(base + RingLayout.DATA + at, src, src.position(), first);
        src.position(src.position() + first);
        if (src.hasRemaining()) shared.put(base + RingLayout.DATA, src, src.position(), src.remaining());
    }

    private void copyOut(long pos, ByteBuffer into, int length) {
        int at = (int) (pos & MASK);
        int first = Math.min(length, RingLayout.CAPACITY - at);
        into.put(into.position(), shared, base + RingLayout.DATA + at, first);
        if (length > first) into.put(into.position() + first, shared, base + RingLayout.DATA, length - first);
        into.position(into.position() + length);
    }
}
