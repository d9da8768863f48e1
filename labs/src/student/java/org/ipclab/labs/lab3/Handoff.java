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
        // TODO(lab3) task 4: publish the value at Layout.VALUE and signal READY: which must come first?
        throw new UnsupportedOperationException("TODO(lab3): Handoff.produce");
    }

    /** Waits up to {@code timeout} for the producer, then returns the value; IpcTimeoutException when none came. */
    public static long consume(ByteBuffer shared, Duration timeout) throws IpcTimeoutException {
        ShmSemaphore ready = new ShmSemaphore(shared, Layout.READY);
        // TODO(lab3) task 4: wait on READY (with the timeout), then read the value. No sleep: the producer may be late.
        throw new UnsupportedOperationException("TODO(lab3): Handoff.consume");
    }
}
