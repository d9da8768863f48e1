package org.ipclab.labs.lab3;

import java.nio.ByteBuffer;

import org.ipclab.core.IpcTimeoutException;
import org.ipclab.labs.support.Layout;
import org.ipclab.labs.support.ShmSemaphore;

/** Lab 3 MUTANT (wrong on purpose, see LabsSelfTest): task 2 gets the right total with getAndAdd, never touching the semaphore. */
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
        for (int i = 0; i < n; i++) Layout.LONG.getAndAdd(shared, Layout.COUNTER, 1L);
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
