package org.ipclab.labs.support;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import org.ipclab.core.IpcTimeoutException;

/**
 * A counting semaphore in one 8-byte word of shared memory, usable by every process that maps it
 * (given, read it: it is the P and V of the textbook, built on compare-and-set).
 *
 * <ul>
 *   <li>{@link #acquire} (P, "wait"): when the count is above 0, take one atomically; otherwise wait.</li>
 *   <li>{@link #release} (V, "signal"): add one; a waiter will see it.</li>
 * </ul>
 * Initialised to 1 it is a mutex; initialised to 0 it makes one process wait for another.
 *
 * <p>It counts its own operations in the two words after the count ({@link #acquires}, {@link #releases}), so that
 * a check can tell a counter protected by the semaphore from one that is merely right.
 *
 * <p>A POSIX semaphore ({@code sem_open}) sleeps in the kernel (a futex) instead of polling; this one
 * spins briefly, then parks in 50 µs naps, which keeps the lab free of native code. The lesson is the same.
 */
public final class ShmSemaphore {
    private final ByteBuffer shared;
    private final int offset;

    public ShmSemaphore(ByteBuffer shared, int offset) {
        this.shared = shared;
        this.offset = offset;
    }

    /** Sets the count; only the process that creates the segment does this, before anyone uses it. */
    public void init(long count) {
        Layout.LONG.setVolatile(shared, offset + 8, 0L);
        Layout.LONG.setVolatile(shared, offset + 16, 0L);
        Layout.LONG.setVolatile(shared, offset, count);
    }

    /** P: takes one unit, waiting at most {@code timeout}. */
    public void acquire(Duration timeout) throws IpcTimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int spins = 0; ; spins++) {
            long v = (long) Layout.LONG.getVolatile(shared, offset);
            if (v > 0 && Layout.LONG.compareAndSet(shared, offset, v, v - 1)) {
                Layout.LONG.getAndAdd(shared, offset + 8, 1L);
                return;
            }
            if (spins < 100) {
                Thread.onSpinWait();
            } else {
                if (System.nanoTime() - deadline > 0) {
                    throw new IpcTimeoutException("semaphore acquire (offset " + offset + ")", timeout);
                }
                LockSupport.parkNanos(50_000);
            }
        }
    }

    /** V: gives one unit back. */
    public void release() {
        Layout.LONG.getAndAdd(shared, offset + 16, 1L);
        Layout.LONG.getAndAdd(shared, offset, 1L);
    }

    /** How many P operations succeeded since {@link #init}. */
    public long acquires() {
        return (long) Layout.LONG.getVolatile(shared, offset + 8);
    }

    /** How many V operations happened since {@link #init}. */
    public long releases() {
        return (long) Layout.LONG.getVolatile(shared, offset + 16);
    }

    public long value() {
        return (long) Layout.LONG.getVolatile(shared, offset);
    }
}
