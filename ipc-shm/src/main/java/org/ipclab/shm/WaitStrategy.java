package org.ipclab.shm;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import org.ipclab.core.BadInputException;

/**
 * How a side waits when the ring is empty (receiver) or full (sender): the trade-off between
 * reacting sooner and burning a CPU, made explicit and echoed in every result.
 *
 * <pre>{@code
 * for (int n = 0; !ready(); n++) strategy.idle(n);   // SPIN, YIELD, PARK
 * }</pre>
 *
 * {@link #SEMAPHORE} does not idle in a loop: the waiter announces itself in the ring's WAITING
 * word and sleeps in {@code sem_timedwait}; the other side posts only when that word is set (see
 * {@link ShmChannel}). All waiting happens on the caller's thread, so whatever CPU it burns is
 * counted against the process that waits.
 */
enum WaitStrategy {
    /** {@code Thread.onSpinWait()} (x86 PAUSE) forever: lowest latency, one core at 100% while waiting. */
    SPIN("busy-spin: lowest latency, a whole core while waiting"),
    /** Spin a little, then {@code Thread.yield()} (sched_yield): gives the core away if anyone else wants it. */
    YIELD("spin, then Thread.yield(): a core while waiting unless others need it"),
    /** Spin, yield, then {@code LockSupport.parkNanos} with a back-off from 1 µs to 1 ms. */
    PARK("spin, yield, then parkNanos with back-off to 1 ms: little CPU, wake-up costs a timer"),
    /** Sleep in {@code sem_timedwait} on a POSIX named semaphore; the other side {@code sem_post}s. */
    SEMAPHORE("POSIX named semaphores: sleeps in the kernel, a futex wake per message when the peer sleeps"),
    /** Sleep in {@code futex(FUTEX_WAIT)} on the ring's WAITING word itself; the other side {@code FUTEX_WAKE}s. */
    FUTEX("futex(2) on the ring's WAITING word: like semaphore without the sem.* objects"),
    /** Sleep in {@code semtimedop} on a System V semaphore set; the other side {@code semop}s +1. */
    SYSV_SEM("System V semaphores (semget/semop/semtimedop): like semaphore, the older interface, in ipcs -s");

    static final int SPINS = 200;
    static final int YIELDS = 100;
    static final long MIN_PARK_NANOS = 1_000;
    static final long MAX_PARK_NANOS = 1_000_000;

    final String description;

    WaitStrategy(String description) {
        this.description = description;
    }

    String optionValue() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static WaitStrategy parse(String text) {
        for (WaitStrategy w : values()) {
            if (w.optionValue().equals(text.trim().toLowerCase(Locale.ROOT))) return w;
        }
        throw new BadInputException("shm option wait=" + text + " is not a wait strategy (use "
                + Arrays.stream(values()).map(WaitStrategy::optionValue).collect(Collectors.joining(", ")) + ")");
    }

    /** True for the strategies that sleep in the kernel and need the other side to wake them. */
    boolean sleeps() {
        return this == SEMAPHORE || this == FUTEX || this == SYSV_SEM;
    }

    /** True for the strategies that keep a CPU busy while they wait (a park backs off and sleeps). */
    boolean busyWaits() {
        return this == SPIN || this == YIELD;
    }

    /** True when one idle step is cheap enough that the caller should look at the clock only now and then. */
    boolean cheapStep() {
        return this == SPIN || this == YIELD;
    }

    /** One idle step of a wait; {@code n} counts the steps since the wait began. Not for the sleeping strategies. */
    void idle(int n) {
        switch (this) {
            case SPIN:
                Thread.onSpinWait();
                break;
            case YIELD:
                if (n < SPINS) Thread.onSpinWait();
                else Thread.yield();
                break;
            case PARK:
                if (n < SPINS) {
                    Thread.onSpinWait();
                } else if (n < SPINS + YIELDS) {
                    Thread.yield();
                } else {
                    int k = Math.min(n - SPINS - YIELDS, 10);
                    LockSupport.parkNanos(Math.min(MAX_PARK_NANOS, MIN_PARK_NANOS << k));
                }
                break;
            default:
                throw new IllegalStateException(this + " does not idle in a loop");
        }
    }
}
