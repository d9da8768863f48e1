package org.ipclab.agrona;

import java.util.Locale;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.ipclab.core.ChannelSpec;

/**
 * ipclab's {@code wait} option mapped onto Agrona's own idle strategies, so that the library is
 * measured waiting the way its users wait. The names are the ones {@code shm} and
 * {@code chronicle} use, so one {@code --opt wait=park} means the same trade-off for all of them.
 * Public because the Aeron mechanism waits with the same strategies (Aeron clients run on Agrona).
 */
public enum IdleWait {
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

    IdleWait(boolean busyWaits) {
        this.busyWaits = busyWaits;
    }

    /** The values of the {@code wait} choice, for a mechanism's descriptor (a copy each call). */
    public static String[] optionValues() {
        return new String[] {"spin", "yield", "park"};
    }

    /** The spec's {@code wait} option (default spin), already checked by the descriptor's choice. */
    public static IdleWait of(ChannelSpec spec) {
        return valueOf(spec.option("wait", "spin").trim().toUpperCase(Locale.ROOT));
    }

    public String optionValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean busyWaits() {
        return busyWaits;
    }

    /** One step of a spin or yield loop is cheap: look at the clock only every 256 steps. */
    public boolean cheapStep() {
        return this != PARK;
    }

    /** A fresh strategy: Backoff keeps state, so each waiting thread (sender, receiver) has its own. */
    public IdleStrategy newIdleStrategy() {
        switch (this) {
            case SPIN: return new BusySpinIdleStrategy();
            case YIELD: return new YieldingIdleStrategy();
            default: return new BackoffIdleStrategy();
        }
    }

    /** Agrona's name of the strategy, echoed in the effective parameters. */
    public String agronaClass() {
        return newIdleStrategy().getClass().getSimpleName();
    }
}
