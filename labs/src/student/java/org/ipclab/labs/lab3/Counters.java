package org.ipclab.labs.lab3;

import java.nio.ByteBuffer;
import java.time.Duration;

import org.ipclab.core.IpcTimeoutException;
import org.ipclab.labs.support.Layout;
import org.ipclab.labs.support.ShmSemaphore;

/**
 * Lab 3, tasks 2 and 3: one counter at {@link Layout#COUNTER} in shared memory, incremented by two
 * processes at once. {@code ./ipc lab run 3 Race racy 1000000} shows what goes wrong.
 */
public final class Counters {
    private Counters() {
    }

    /**
     * Given, and broken on purpose: read, add one, write back. Two processes can both read 41 and both
     * write 42: one increment is lost (the "lost update").
     */
    public static void racyIncrement(ByteBuffer shared, int n) {
        for (int i = 0; i < n; i++) {
            long v = (long) Layout.LONG.get(shared, Layout.COUNTER);
            Layout.LONG.set(shared, Layout.COUNTER, v + 1);
        }
    }

    /** Task 2: the same read-add-write, made a critical section with a semaphore used as a mutex (initial value 1). */
    public static void lockedIncrement(ByteBuffer shared, int n, ShmSemaphore mutex) throws IpcTimeoutException {
        Duration timeout = Duration.ofSeconds(5);
        // TODO(lab3) task 2: protect each read-add-write (as in racyIncrement) with the mutex: P before, V after,
        //   also when something throws. The semaphore counts its P and V operations: the check reads them.
        throw new UnsupportedOperationException("TODO(lab3): Counters.lockedIncrement");
    }

    /** Task 3: no lock at all: one atomic compare-and-set per increment, retried when another process got in between. */
    public static void casIncrement(ByteBuffer shared, int n) {
        // TODO(lab3) task 3: Layout.LONG.compareAndSet writes only if the slot still holds what you read: when it
        //   fails, another process got in between. (Stuck? ipc lab hint 3 3 --level 2)
        throw new UnsupportedOperationException("TODO(lab3): Counters.casIncrement");
    }
}
