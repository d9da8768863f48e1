package org.ipclab.agrona;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

import org.agrona.concurrent.IdleStrategy;
import org.ipclab.core.Channel;
import org.ipclab.core.IpcTimeoutException;
import org.ipclab.core.Units;

/**
 * The timed wait of a polling channel's send or receive, once its first try found no room or no
 * message: idle one step, try again, and look at the clock (every 256 steps of a spin or yield,
 * which are cheap; every step of a park, which sleeps anyway) for the deadline and, every
 * {@link #CHECK_NANOS}, for the peer's liveness. Public because the Aeron mechanism polls the same
 * way.
 *
 * <p>One per direction of a channel: the idle strategy keeps state (Backoff), and the sender and
 * the receiver may be different threads. The attempt is a lambda the channel makes once, in its
 * constructor, and is handed the call's buffer: a wait allocates nothing.
 */
public final class PollingWait {
    /** How often a waiter asks whether the peer still lives: {@link ProcessHandle#isAlive()} reads /proc. */
    public static final long CHECK_NANOS = 5_000_000L;
    /** An attempt's answer for "not yet, try again": {@link Channel#NO_MESSAGE}, so {@code tryReceive} is an attempt as it is. */
    public static final int NOT_YET = Channel.NO_MESSAGE;

    /** One try with the buffer of the call (the message to send, or where to receive). */
    @FunctionalInterface
    public interface Attempt {
        /** @return the call's result, or {@link #NOT_YET} */
        int attempt(ByteBuffer buffer) throws IOException;
    }

    /** Throws when waiting longer is pointless: our end was closed, the peer died. */
    @FunctionalInterface
    public interface LivenessCheck {
        void check() throws IOException;
    }

    private final IdleStrategy idle;
    private final boolean cheapSteps;
    private final Attempt attempt;
    private final LivenessCheck liveness;
    private final String timedOut;

    /** @param timedOut what the {@link IpcTimeoutException} says timed out, e.g. {@code "agrona receive"} */
    public PollingWait(IdleWait wait, Attempt attempt, LivenessCheck liveness, String timedOut) {
        this.idle = wait.newIdleStrategy();
        this.cheapSteps = wait.cheapStep();
        this.attempt = attempt;
        this.liveness = liveness;
        this.timedOut = timedOut;
    }

    /**
     * Tries until an answer other than {@link #NOT_YET}, the deadline (an {@link IpcTimeoutException})
     * or a liveness check that throws. The caller has made the first try itself, before calling.
     */
    public int await(ByteBuffer buffer, Duration timeout) throws IOException {
        long start = System.nanoTime();
        long deadline = start + Units.nanos(timeout);
        long nextCheck = start + CHECK_NANOS;
        idle.reset();
        for (int n = 1; ; n++) {
            idle.idle();
            int result = attempt.attempt(buffer);
            if (result != NOT_YET) return result;
            if (!cheapSteps || (n & 255) == 0) {
                long now = System.nanoTime();
                if (now - deadline >= 0) throw new IpcTimeoutException(timedOut, timeout);
                if (now - nextCheck >= 0) {
                    liveness.check();
                    nextCheck = now + CHECK_NANOS;
                }
            }
        }
    }
}
