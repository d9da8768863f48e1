package org.ipclab.shm;

import java.io.IOException;
import java.time.Duration;

/** A counting semaphore a ring side sleeps on and the other side posts: POSIX named or System V. */
interface Wakeup extends AutoCloseable {
    /** V: add one, waking a sleeper. */
    void release() throws IOException;

    /** P: take one, sleeping at most {@code timeout}; false when it expired or a signal interrupted it. */
    boolean acquire(Duration timeout) throws IOException;

    @Override
    void close();

    /** A POSIX named semaphore ({@code sem_timedwait}/{@code sem_post}) as a wake-up. */
    static Wakeup posix(NamedSemaphore sem) {
        return new Wakeup() {
            @Override
            public void release() throws IOException {
                sem.release();
            }

            @Override
            public boolean acquire(Duration timeout) throws IOException {
                return sem.acquire(timeout);
            }

            @Override
            public void close() {
                sem.close();
            }
        };
    }
}
