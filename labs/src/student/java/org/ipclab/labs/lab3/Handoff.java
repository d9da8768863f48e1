package org.ipclab.labs.lab3;

import java.nio.ByteBuffer;
import java.time.Duration;

import org.ipclab.core.IpcTimeoutException;
import org.ipclab.labs.support.Layout;
import org.ipclab.labs.support.ShmSemaphore;

/**
 * Lab 3, task 4: a semaphore for ORDER, not for mutual exclusion. The READY semaphore starts at 0,
 * so the consumer's P waits until the producer's V: the value is read only after it was written.
 */
public final class Handoff {
    private Handoff() {
    }

    /** Writes {@code value} at {@link Layout#VALUE}, then signals READY. */
    public static void produce(ByteBuffer shared, long value) {
        ShmSemaphore ready = new ShmSemaphore(shared, Layout.READY);
        // TODO(lab3) task 4: write the value first (Layout.LONG.setVolatile), THEN ready.release().
        throw new UnsupportedOperationException("TODO(lab3): Handoff.produce");
    }

    /** Waits up to {@code timeout} for the producer, then returns the value; IpcTimeoutException when none came. */
    public static long consume(ByteBuffer shared, Duration timeout) throws IpcTimeoutException {
        ShmSemaphore ready = new ShmSemaphore(shared, Layout.READY);
        // TODO(lab3) task 4: ready.acquire(timeout), then read Layout.VALUE (getVolatile). No sleep: the producer may be late.
        throw new UnsupportedOperationException("TODO(lab3): Handoff.consume");
    }
}
