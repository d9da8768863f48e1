package org.ipclab.labs.lab3;

import java.nio.ByteBuffer;
import java.time.Duration;

import org.ipclab.core.IpcTimeoutException;
import org.ipclab.labs.support.Layout;
import org.ipclab.labs.support.ShmSemaphore;

/** Lab 3 reference solution, task 4. */
public final class Handoff {
    private Handoff() {
    }

    public static void produce(ByteBuffer shared, long value) {
        ShmSemaphore ready = new ShmSemaphore(shared, Layout.READY);
        Layout.LONG.setVolatile(shared, Layout.VALUE, value);
        ready.release();
    }

    public static long consume(ByteBuffer shared, Duration timeout) throws IpcTimeoutException {
        ShmSemaphore ready = new ShmSemaphore(shared, Layout.READY);
        ready.acquire(timeout);
        return (long) Layout.LONG.getVolatile(shared, Layout.VALUE);
    }
}
