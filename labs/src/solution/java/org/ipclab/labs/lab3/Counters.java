package org.ipclab.labs.lab3;

import java.nio.ByteBuffer;
import java.time.Duration;

import org.ipclab.core.IpcTimeoutException;
import org.ipclab.labs.support.Layout;
import org.ipclab.labs.support.ShmSemaphore;

/** Lab 3 reference solution, tasks 2 and 3. */
public final class Counters {
    private Counters() {
    }

    public static void racyIncrement(ByteBuffer shared, int n) {
        for (int i = 0; i < n; i++) {
            long v = (long) Layout.LONG.get(shared, Layout.COUNTER);
            Layout.LONG.set(shared, Layout.COUNTER, v + 1);
        }
    }

    public static void lockedIncrement(ByteBuffer shared, int n, ShmSemaphore mutex) throws IpcTimeoutException {
        Duration timeout = Duration.ofSeconds(5);
        for (int i = 0; i < n; i++) {
            mutex.acquire(timeout);
            try {
                long v = (long) Layout.LONG.get(shared, Layout.COUNTER);
                Layout.LONG.set(shared, Layout.COUNTER, v + 1);
            } finally {
                mutex.release();
            }
        }
    }

    public static void casIncrement(ByteBuffer shared, int n) {
        for (int i = 0; i < n; i++) {
            while (true) {
                long v = (long) Layout.LONG.getVolatile(shared, Layout.COUNTER);
                if (Layout.LONG.compareAndSet(shared, Layout.COUNTER, v, v + 1)) break;
            }
        }
    }
}
