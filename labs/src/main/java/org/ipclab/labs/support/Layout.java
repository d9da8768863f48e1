package org.ipclab.labs.support;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Lab 3's shared segment, one aligned 8-byte slot per field. Every process that maps the same file
 * sees the same bytes; {@link #LONG} gives atomic, ordered access to a slot.
 *
 * <pre>
 *   offset  0  COUNTER   the shared counter (tasks 2 and 3)
 *   offset 64  MUTEX     semaphore word, initial value 1: a mutex (task 2)
 *   offset 128 READY     semaphore word, initial value 0: "the value is there" (task 4)
 *   offset 192 VALUE     the value handed from producer to consumer (task 4)
 *   offset 256 START     start line: workers count themselves in here and wait for each other (given code)
 * </pre>
 * Slots are 64 bytes apart (one cache line each) so that writers of different slots do not slow each other down.
 */
public final class Layout {
    public static final int COUNTER = 0;
    public static final int MUTEX = 64;
    public static final int READY = 128;
    public static final int VALUE = 192;
    public static final int START = 256;
    public static final int SIZE = 320;

    /** get/set/getVolatile/setRelease/compareAndSet/getAndAdd on a long at a byte offset of a ByteBuffer. */
    public static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private Layout() {
    }
}
