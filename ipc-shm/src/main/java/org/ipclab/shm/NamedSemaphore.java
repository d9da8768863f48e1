package org.ipclab.shm;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

import org.ipclab.core.NativeException;

/**
 * A POSIX named semaphore ({@code sem_overview(7)}): a counter in a small shared file that glibc
 * keeps at {@code /dev/shm/sem.NAME}, with two atomic operations: P ({@link #acquire}, {@code
 * sem_timedwait}: take one or sleep) and V ({@link #release}, {@code sem_post}: add one and wake a
 * sleeper). Uncontended, both stay in user space (an atomic instruction on the counter); only a
 * sleeper costs a {@code futex(2)} system call on each side.
 *
 * <pre>{@code
 * NamedSemaphore s = NamedSemaphore.create("/ipclab-42-demo-x1", 0);   // creator: 0600, fresh
 * NamedSemaphore t = NamedSemaphore.open("/ipclab-42-demo-x1");        // another process
 * t.release();                                                           // V
 * boolean got = s.acquire(Duration.ofMillis(10));                        // P, or false on timeout
 * s.close(); s.unlink();
 * }</pre>
 *
 * One thread at a time may wait on an instance (the timespec buffer is reused).
 */
final class NamedSemaphore implements AutoCloseable {
    private final String name;
    private final Pointer sem;
    private final Pointer abstime;
    private final AtomicInteger busy = new AtomicInteger();
    private volatile boolean closed;

    private NamedSemaphore(String name, Pointer sem) {
        this.name = name;
        this.sem = sem;
        this.abstime = Memory.allocateDirect(Libc.runtime(), 16);
    }

    /** Creates a new semaphore (fails if the name exists), owner-only, with the given initial count. */
    static NamedSemaphore create(String name, int initial) throws NativeException {
        Pointer p = Libc.api().sem_open(name, Libc.O_CREAT | Libc.O_EXCL, 0600, initial);
        if (p == null || p.address() == 0) throw new NativeException("sem_open(" + name + ", O_CREAT|O_EXCL, 0600, " + initial + ")", Libc.errno());
        return new NamedSemaphore(name, p);
    }

    /** Opens an existing semaphore. */
    static NamedSemaphore open(String name) throws NativeException {
        Pointer p = Libc.api().sem_open(name, 0, 0, 0);
        if (p == null || p.address() == 0) throw new NativeException("sem_open(" + name + ")", Libc.errno());
        return new NamedSemaphore(name, p);
    }

    /** Removes the name; processes that have it open keep using it until they close it. */
    static void unlink(String name) throws NativeException {
        if (Libc.api().sem_unlink(name) != 0) {
            int errno = Libc.errno();
            if (errno != 2) throw new NativeException("sem_unlink(" + name + ")", errno); // ENOENT: already gone
        }
    }

    String name() {
        return name;
    }

    /** The file glibc keeps for a named semaphore. */
    static String file(String name) {
        return "/dev/shm/sem." + (name.startsWith("/") ? name.substring(1) : name);
    }

    /** V: {@code sem_post}. */
    void release() throws NativeException {
        busy.incrementAndGet();
        try {
            if (closed) return;
            if (Libc.api().sem_post(sem) != 0) throw new NativeException("sem_post(" + name + ")", Libc.errno());
        } finally {
            busy.decrementAndGet();
        }
    }

    /** P: {@code sem_timedwait} for at most {@code timeout}; false when it expired (or a signal interrupted it). */
    boolean acquire(Duration timeout) throws NativeException {
        if (closed) return false;
        busy.incrementAndGet();
        try {
            if (closed) return false;
            Instant until = Instant.now().plus(timeout);
            abstime.putLong(0, until.getEpochSecond());
            abstime.putLong(8, until.getNano());
            if (Libc.api().sem_timedwait(sem, abstime) == 0) return true;
            int errno = Libc.errno();
            if (errno == Libc.ETIMEDOUT || errno == Libc.EINTR) return false;
            throw new NativeException("sem_timedwait(" + name + ")", errno);
        } finally {
            busy.decrementAndGet();
        }
    }

    /** P without waiting: {@code sem_trywait}. */
    boolean tryAcquire() throws NativeException {
        busy.incrementAndGet();
        try {
            if (closed) return false;
            if (Libc.api().sem_trywait(sem) == 0) return true;
            int errno = Libc.errno();
            if (errno == Libc.EAGAIN || errno == Libc.EINTR) return false;
            throw new NativeException("sem_trywait(" + name + ")", errno);
        } finally {
            busy.decrementAndGet();
        }
    }

    /**
     * {@code sem_close}: unmaps the semaphore from this process. A thread still inside {@link
     * #acquire} would touch unmapped memory, so we wait for it (acquire waits are short slices)
     * and rather leak the small mapping than crash when it does not come back.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        long until = System.nanoTime() + 200_000_000L;
        while (busy.get() > 0 && System.nanoTime() < until) {
            Thread.onSpinWait();
            Thread.yield();
        }
        if (busy.get() == 0) Libc.api().sem_close(sem);
    }
}
