package org.ipclab.labs.lab4;

import java.nio.ByteBuffer;

import org.ipclab.core.Channel;
import org.ipclab.core.ProtocolException;

/** Lab 4 reference solution, task 1: one direction of the channel, a single-producer single-consumer ring. */
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
        int length = message.remaining();
        long head = (long) RingLayout.LONG.getAcquire(shared, base + RingLayout.HEAD);
        long tail = (long) RingLayout.LONG.get(shared, base + RingLayout.TAIL); // only we write it
        if (RingLayout.CAPACITY - (tail - head) < RingLayout.HEADER + length) return false;
        for (int i = 0; i < RingLayout.HEADER; i++) putByte(tail + i, (byte) (length >>> (8 * i)));
        copyIn(tail + RingLayout.HEADER, message.duplicate());
        // Release: the bytes above are visible to the reader before the new TAIL is.
        RingLayout.LONG.setRelease(shared, base + RingLayout.TAIL, tail + RingLayout.HEADER + length);
        return true;
    }

    /**
     * Reader: takes one message into {@code into} (from its position) and returns its length;
     * {@link Channel#NO_MESSAGE} when the ring is empty; {@link Channel#END_OF_STREAM} when it is empty and the writer closed.
     */
    public int poll(ByteBuffer into) throws ProtocolException {
        long tail = (long) RingLayout.LONG.getAcquire(shared, base + RingLayout.TAIL);
        long head = (long) RingLayout.LONG.get(shared, base + RingLayout.HEAD); // only we write it
        if (tail == head) {
            if ((long) RingLayout.LONG.getVolatile(shared, base + RingLayout.CLOSED) != 0
                    && (long) RingLayout.LONG.getAcquire(shared, base + RingLayout.TAIL) == head) {
                return Channel.END_OF_STREAM;
            }
            return Channel.NO_MESSAGE;
        }
        int length = 0;
        for (int i = 0; i < RingLayout.HEADER; i++) length |= (getByte(head + i) & 0xff) << (8 * i);
        if (length < 0 || length > RingLayout.MAX_MESSAGE || RingLayout.HEADER + length > tail - head) {
            throw new ProtocolException("ring at " + base + ": corrupt length " + length);
        }
        if (into.remaining() < length) {
            throw new ProtocolException("receive buffer of " + into.remaining() + " bytes is smaller than the message of " + length + " bytes");
        }
        copyOut(head + RingLayout.HEADER, into, length);
        // Release: we are done reading those bytes before the writer may reuse them.
        RingLayout.LONG.setRelease(shared, base + RingLayout.HEAD, head + RingLayout.HEADER + length);
        return length;
    }

    /** Writer: no more messages will come. */
    public void close() {
        RingLayout.LONG.setVolatile(shared, base + RingLayout.CLOSED, 1L);
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
