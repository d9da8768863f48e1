package org.ipclab.labs.lab4;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Given: the memory layout of lab 4's segment, every offset named (Agrona's style). Two rings, one per
 * direction, each written by one process and read by the other (single producer, single consumer).
 *
 * <pre>
 *   segment:  [CONTROL 64 B][ring A: server -> peer][ring B: peer -> server]
 *   CONTROL:  offset 0 CONNECTED (long, 1 once the peer mapped the segment)
 *   one ring: offset   0 HEAD    (long) bytes consumed so far: written only by the reader
 *             offset  64 TAIL    (long) bytes produced so far: written only by the writer
 *             offset 128 CLOSED  (long) 1 once the writer closed its end
 *             offset 192 DATA    CAPACITY bytes; a message is [u32 length][payload], possibly wrapping around
 * </pre>
 * HEAD and TAIL only grow; the byte at position p lives at {@code DATA + (p & (CAPACITY - 1))}.
 * Used bytes = TAIL - HEAD; free bytes = CAPACITY - (TAIL - HEAD). Each counter has its own cache
 * line, so the writer and the reader do not fight over one (false sharing).
 */
public final class RingLayout {
    public static final int CONNECTED = 0;
    public static final int CONTROL_SIZE = 64;

    public static final int HEAD = 0;
    public static final int TAIL = 64;
    public static final int CLOSED = 128;
    public static final int DATA = 192;
    /** A power of two, so that "modulo capacity" is a mask. */
    public static final int CAPACITY = 256 * 1024;
    public static final int RING_SIZE = DATA + CAPACITY;
    public static final int HEADER = 4;
    /** The largest payload: a ring must hold one whole message with its header. */
    public static final int MAX_MESSAGE = 64 * 1024;

    /** Where ring A (server writes, peer reads) and ring B (peer writes, server reads) start. */
    public static final int RING_A = CONTROL_SIZE;
    public static final int RING_B = CONTROL_SIZE + RING_SIZE;
    public static final int SEGMENT_SIZE = CONTROL_SIZE + 2 * RING_SIZE;

    /** Ordered access (getAcquire/setRelease/getVolatile/...) to a long at a byte offset of a ByteBuffer. */
    public static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private RingLayout() {
    }
}
