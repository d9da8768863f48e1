package org.ipclab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The runner alone: an in-process peer and a clock that advances a fixed step per reading. */
class RunnerTest {
    /** Every clock reading advances time by 1 µs, so each RTT spans a known number of readings. */
    private static final class SteppingClock implements NanoClock {
        long now;

        @Override
        public long nanoTime() {
            return now += 1_000;
        }
    }

    private static BenchConfig config(long count) {
        return new BenchConfig(List.of("loopback"), List.of(Mode.LATENCY), List.of(64),
                Duration.ZERO, Duration.ofSeconds(1), count, 3, Duration.ofSeconds(1), Map.of());
    }

    private final Runner runner = new Runner(new SteppingClock(), () -> 0L, Runner::newHistogram);

    @Test
    void latencyRecordsEveryRoundTripWithItsCounts() {
        Results.Measurement m = runner.latency(new LoopbackTarget(true), 64, config(1000));
        assertEquals("ok", m.status(), m.error());
        assertEquals(3, m.repeats().size());
        assertEquals(3000, m.summary().latency().count());
        // send-time reading, then the receive-time reading: one 1 µs step apart.
        assertEquals(1.0, m.summary().latency().p50Us(), 0.01);
        assertEquals(new Results.Integrity(3000, 3000, 0, 0, 0), m.integrity());
        assertNotNull(m.summary().p50Us());
    }

    /** Fan-in clients stop together: the phase ends at the instant given, not --duration after its own start. */
    @Test
    void aTimedPhaseEndsAtTheInstantItIsGiven() {
        SteppingClock clock = new SteppingClock();
        Runner timed = new Runner(clock, () -> 0L, Runner::newHistogram).endsAt(10_000_000);
        BenchConfig once = new BenchConfig(List.of("loopback"), List.of(Mode.LATENCY, Mode.THROUGHPUT), List.of(64),
                Duration.ofMillis(2), Duration.ofSeconds(1), 0, 1, Duration.ofSeconds(1), Map.of());
        Results.Measurement m = timed.latency(new LoopbackTarget(true), 64, once);
        assertEquals("ok", m.status(), m.error());
        double seconds = m.repeats().get(0).seconds();
        assertTrue(seconds > 0.0075 && seconds < 0.0081, () -> "from the end of the 2 ms warm-up to 10 ms: " + seconds + " s");
        clock.now = 0;
        Results.Measurement t = timed.throughput(new LoopbackTarget(true), 64, once);
        assertEquals("ok", t.status(), t.error());
        assertTrue(t.repeats().get(0).seconds() < 0.0081, () -> "throughput as well: " + t.repeats().get(0).seconds() + " s");
    }

    @Test
    void aCorruptedEchoIsCountedAndMarksAReliableRun() {
        LoopbackTarget target = new LoopbackTarget(true);
        target.corruptEvery = 100;
        Results.Measurement m = runner.latency(target, 64, config(1000));
        assertEquals("integrity", m.status());
        assertEquals(30, m.integrity().corrupt());
        assertTrue(m.error().contains("corrupted 30"), m.error());
    }

    @Test
    void anUnreliableMechanismReportsLossInsteadOfFailing() {
        LoopbackTarget target = new LoopbackTarget(false);
        target.dropEvery = 10;
        Results.Measurement m = runner.latency(target, 64, config(1000));
        assertEquals("ok", m.status(), m.error());
        assertEquals(300, m.integrity().lost());
        assertEquals(2700, m.summary().latency().count());
    }

    @Test
    void aReliableMechanismThatLosesAMessageFailsWithTheReason() {
        LoopbackTarget target = new LoopbackTarget(true);
        target.dropEvery = 10;
        Results.Measurement m = runner.latency(target, 64, config(1000));
        assertEquals("failed", m.status());
        assertTrue(m.error().contains("timed out"), m.error());
    }

    @Test
    void aDuplicatedEchoIsCountedApartAndMarksAReliableRun() {
        LoopbackTarget target = new LoopbackTarget(true);
        target.duplicateEvery = 99; // the last copy, of probe 2970, is still read by a later round trip
        Results.Measurement m = runner.latency(target, 64, config(1000));
        assertEquals("integrity", m.status());
        // Every probe got its own echo; the second copies are beside them, not in place of one.
        assertEquals(new Results.Integrity(3000, 3000, 0, 0, 0, 30), m.integrity());
        assertEquals(3000, m.summary().latency().count());
        assertTrue(m.error().contains("duplicated 30"), m.error());
    }

    @Test
    void anUnreliableRunShowsItsDuplicatesWithoutFailing() {
        LoopbackTarget target = new LoopbackTarget(false);
        target.duplicateEvery = 100;
        target.dropEvery = 7;
        Results.Measurement m = runner.latency(target, 64, config(1000));
        assertEquals("ok", m.status(), m.error());
        assertTrue(m.integrity().duplicates() > 0, m.integrity().toString());
        // A copy never makes up for a lost probe.
        assertEquals(m.integrity().sent() - m.integrity().received(), m.integrity().lost());
        assertTrue(m.integrity().lost() > 0);
    }

    @Test
    void theSinkCountsDuplicatesApartFromReceived() {
        BenchConfig cfg = new BenchConfig(List.of("loopback"), List.of(Mode.THROUGHPUT), List.of(256),
                Duration.ZERO, Duration.ofSeconds(1), 5000, 3, Duration.ofSeconds(1), Map.of());
        LoopbackTarget target = new LoopbackTarget(true);
        target.duplicateEvery = 50;
        Results.Measurement m = runner.throughput(target, 256, cfg);
        assertEquals("integrity", m.status());
        assertEquals(new Results.Integrity(15000, 15000, 0, 0, 0, 300), m.integrity());
    }

    @Test
    void throughputCountsWhatThePeerVerified() {
        BenchConfig cfg = new BenchConfig(List.of("loopback"), List.of(Mode.THROUGHPUT), List.of(256),
                Duration.ZERO, Duration.ofSeconds(1), 5000, 3, Duration.ofSeconds(1), Map.of());
        Results.Measurement m = runner.throughput(new LoopbackTarget(true), 256, cfg);
        assertEquals("ok", m.status(), m.error());
        assertEquals(new Results.Integrity(15000, 15000, 0, 0, 0), m.integrity());
        assertTrue(m.summary().msgsPerSec() > 0);
        assertEquals(m.summary().msgsPerSec() * 256 / 1e6, m.summary().mbPerSec(), 1e-6);
    }

    @Test
    void spreadIsMinMedianMaxOverTheRepeats() {
        Results.Spread s = Results.Spread.of(List.of(3.0, 1.0, 2.0));
        assertEquals(new Results.Spread(1.0, 2.0, 3.0, 100.0), s);
    }
}
