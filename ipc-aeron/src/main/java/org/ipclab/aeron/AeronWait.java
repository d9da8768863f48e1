package org.ipclab.aeron;

import java.util.Locale;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

/**
 * ipclab's {@code wait} option mapped onto the Agrona idle strategies Aeron clients use, so that the library is
 * measured waiting the way its users wait. The names are the ones {@code shm} and
 * {@code chronicle} use, so one {@code --opt wait=park} means the same trade-off for all three.
 */
enum AeronWait {
    /** {@link BusySpinIdleStrategy}: {@code Thread.onSpinWait()} (x86 PAUSE); a whole core while waiting. */
    SPIN(true),
    /** {@link YieldingIdleStrategy}: {@code Thread.yield()} each step; still a core unless others want it. */
    YIELD(true),
    /**
     * {@link BackoffIdleStrategy} with Agrona's defaults: 10 spins, 5 yields, then {@code parkNanos}
     * doubling from 1 µs to 1 ms. It sleeps, so it is not counted as busy-waiting.
     */
    PARK(false);

    private final boolean busyWaits;

    AeronWait(boolean busyWaits) {
        this.busyWaits = busyWaits;
    }

    static final String[] VALUES = {"spin", "yield", "park"};

    /** The option value, already checked by the descriptor's choice. */
    static AeronWait parse(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }

    String optionValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    boolean busyWaits() {
        return busyWaits;
    }

    /** One step of a spin or yield loop is cheap: look at the clock only every 256 steps. */
    boolean cheapStep() {
        return this != PARK;
    }

    /** A fresh strategy: Backoff keeps state, so each waiting thread (sender, receiver) has its own. */
    IdleStrategy newIdleStrategy() {
        switch (this) {
            case SPIN: return new BusySpinIdleStrategy();
            case YIELD: return new YieldingIdleStrategy();
            default: return new BackoffIdleStrategy();
        }
    }

    /** Agrona's name of the strategy, echoed in the effective parameters. */
    String agronaClass() {
        return newIdleStrategy().getClass().getSimpleName();
    }
}
