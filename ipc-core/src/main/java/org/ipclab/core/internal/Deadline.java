package org.ipclab.core.internal;

import org.ipclab.core.Units;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A timeout for a blocking call that has none of its own (a blocking {@code read} on a socket or
 * pipe). The hot path only writes a volatile long: arming costs no syscall and no allocation, so a
 * blocked read stays one syscall, as in C. One watchdog thread per JVM checks armed deadlines every
 * {@value #TICK_MS} ms and runs the expiry action — closing the channel, which wakes the blocked
 * thread — so timeouts are precise to about that tick.
 */
public final class Deadline implements AutoCloseable {
    static final long TICK_MS = 10;
    private static final long IDLE = 0;
    private static final long EXPIRED = 1;
    private static final Set<Deadline> REGISTERED = ConcurrentHashMap.newKeySet();

    static {
        Thread watchdog = new Thread(Deadline::watch, "ipclab-deadline-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    private final AtomicLong due = new AtomicLong(IDLE);
    private final Runnable onExpiry;

    public Deadline(Runnable onExpiry) {
        this.onExpiry = onExpiry;
        REGISTERED.add(this);
    }

    /** Starts the clock for one blocking call. */
    public void arm(Duration timeout) {
        long d = System.nanoTime() + Units.nanos(timeout);
        if (d == IDLE || d == EXPIRED) d += 2;
        due.set(d);
    }

    /** Stops the clock; returns false when the deadline had already fired (the call timed out). */
    public boolean disarm() {
        return due.getAndSet(IDLE) != EXPIRED;
    }

    /** True when the deadline fired and has not been disarmed since. */
    public boolean expired() {
        return due.get() == EXPIRED;
    }

    @Override
    public void close() {
        REGISTERED.remove(this);
    }

    private static void watch() {
        while (true) {
            LockSupport.parkNanos(TICK_MS * 1_000_000);
            long now = System.nanoTime();
            for (Deadline d : REGISTERED) {
                long at = d.due.get();
                if (at != IDLE && at != EXPIRED && now - at >= 0 && d.due.compareAndSet(at, EXPIRED)) {
                    try {
                        d.onExpiry.run();
                    } catch (RuntimeException e) {
                        // The expiry action only closes things; a failure there must not stop the watchdog.
                    }
                }
            }
        }
    }
}
