package org.ipclab.core.internal;

import org.ipclab.core.Units;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A timeout for a blocking call that has none of its own (a blocking {@code read} on a socket or
 * pipe). The hot path writes a volatile long and reads another: arming costs no syscall and no
 * allocation, so a blocked read stays one syscall, as in C. One watchdog thread per JVM runs the
 * expiry action (closing the channel, which wakes the blocked thread).
 *
 * <p>The watchdog does not tick. It sleeps until the earliest deadline it saw armed, then looks
 * again; a call re-armed since then is due later, so it sleeps on. A loop of blocking calls with a
 * 10 s timeout wakes it about once per 10 s, and a JVM with nothing armed never. Only an
 * {@link #arm} due <em>before</em> the planned wake-up wakes it early (one {@code unpark}). This
 * matters where the benchmark's two processes share one CPU: a watchdog ticking every 10 ms in each
 * JVM preempted the round trip 200 times a second, something the C program does not pay.
 */
public final class Deadline implements AutoCloseable {
    private static final long IDLE = 0;
    private static final long EXPIRED = 1;
    /** How far ahead "no deadline armed" is put: far, but safe in {@code nanoTime} subtraction. */
    private static final long NOTHING_ARMED = Units.FOREVER_NANOS;
    private static final Set<Deadline> REGISTERED = ConcurrentHashMap.newKeySet();
    /** When the watchdog will next look (a {@code System.nanoTime()} value). */
    private static volatile long wakeAt = System.nanoTime() + NOTHING_ARMED;
    private static final Thread WATCHDOG = new Thread(Deadline::watch, "ipclab-deadline-watchdog");

    static {
        WATCHDOG.setDaemon(true);
        WATCHDOG.start();
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
        // Read after the write above; the watchdog writes wakeAt before it looks at the deadlines
        // again, so either it sees this one or this sees its new wakeAt (both are volatile).
        if (d - wakeAt < 0) LockSupport.unpark(WATCHDOG);
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
            long next = expireDue();
            wakeAt = next;
            long seen = earliestArmed(System.nanoTime() + NOTHING_ARMED);
            if (seen - next < 0) continue; // armed while we looked: look again
            long sleep = next - System.nanoTime();
            if (sleep > 0) LockSupport.parkNanos(sleep); // an early arm unparks us; so may nothing at all
        }
    }

    /** Runs the expiry of every deadline that is due; returns when the earliest one still armed is due. */
    private static long expireDue() {
        long now = System.nanoTime();
        long earliest = now + NOTHING_ARMED;
        for (Deadline d : REGISTERED) {
            long at = d.due.get();
            if (at == IDLE || at == EXPIRED) continue;
            if (now - at >= 0) {
                if (d.due.compareAndSet(at, EXPIRED)) {
                    try {
                        d.onExpiry.run();
                    } catch (RuntimeException e) {
                        // The expiry action only closes things; a failure there must not stop the watchdog.
                    }
                }
            } else if (at - earliest < 0) {
                earliest = at;
            }
        }
        return earliest;
    }

    private static long earliestArmed(long none) {
        long earliest = none;
        for (Deadline d : REGISTERED) {
            long at = d.due.get();
            if (at != IDLE && at != EXPIRED && at - earliest < 0) earliest = at;
        }
        return earliest;
    }
}
