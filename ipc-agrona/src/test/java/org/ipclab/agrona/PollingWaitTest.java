package org.ipclab.agrona;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.ipclab.core.IpcTimeoutException;
import org.ipclab.core.PeerGoneException;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The wait loop alone, for each idle strategy; the contract tests meet it between real processes. */
@Timeout(value = 30, unit = TimeUnit.SECONDS) // a wait that never ends fails here, not in surefire
class PollingWaitTest {
    private final ByteBuffer buffer = ByteBuffer.allocate(8);

    @ParameterizedTest
    @EnumSource(IdleWait.class)
    void returnsTheFirstAnswerThatIsNotNotYetForTheBufferItWasGiven(IdleWait idle) throws IOException {
        AtomicInteger tries = new AtomicInteger();
        PollingWait wait = new PollingWait(idle, b -> {
            assertSame(buffer, b, "the attempt gets the call's buffer");
            return tries.incrementAndGet() < 300 ? PollingWait.NOT_YET : 42;
        }, () -> { }, "test wait");
        assertEquals(42, wait.await(buffer, Duration.ofSeconds(30)));
        assertEquals(300, tries.get(), "it stops trying at the first answer");
    }

    @ParameterizedTest
    @EnumSource(IdleWait.class)
    void aDeadlineIsAnIpcTimeoutExceptionThatSaysWhatTimedOut(IdleWait idle) {
        PollingWait wait = new PollingWait(idle, b -> PollingWait.NOT_YET, () -> { }, "test receive");
        IpcTimeoutException e = assertThrows(IpcTimeoutException.class, () -> wait.await(buffer, Duration.ofMillis(20)));
        assertTrue(e.getMessage().contains("test receive"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(IdleWait.class)
    void aLivenessCheckThatThrowsEndsTheWaitBeforeTheDeadline(IdleWait idle) {
        AtomicInteger checks = new AtomicInteger();
        PeerGoneException gone = new PeerGoneException("test: the peer died");
        PollingWait wait = new PollingWait(idle, b -> PollingWait.NOT_YET, () -> {
            checks.incrementAndGet();
            throw gone;
        }, "test send");
        assertSame(gone, assertThrows(PeerGoneException.class, () -> wait.await(buffer, Duration.ofMinutes(1))));
        assertEquals(1, checks.get());
    }
}
