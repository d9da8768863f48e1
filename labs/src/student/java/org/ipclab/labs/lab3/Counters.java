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
        // TODO(lab3) task 2: for each increment: mutex.acquire(timeout) (P); read-add-write as above; mutex.release() (V).
        //   Release in a finally block: a process that dies holding the mutex blocks everybody else.
        throw new UnsupportedOperationException("TODO(lab3): Counters.lockedIncrement");
    }

    /** Task 3: no lock at all: one atomic compare-and-set per increment, retried when another process got in between. */
    public static void casIncrement(ByteBuffer shared, int n) {
        // TODO(lab3) task 3: loop { long v = (long) Layout.LONG.getVolatile(shared, Layout.COUNTER);
        //   if (Layout.LONG.compareAndSet(shared, Layout.COUNTER, v, v + 1)) break; }
        //   (Layout.LONG.getAndAdd does the same loop inside the CPU's lock-prefixed instruction.)
        throw new UnsupportedOperationException("TODO(lab3): Counters.casIncrement");
    }
}
