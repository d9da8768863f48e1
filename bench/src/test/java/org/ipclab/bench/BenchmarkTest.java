package org.ipclab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole matrix against real peer processes, briefly: correctness of the plumbing, not figures. */
class BenchmarkTest {
    @Test
    void tcpAndUnixGiveCompleteResultsAndTheyRoundTripThroughJson(@TempDir Path dir) throws Exception {
        BenchConfig cfg = new BenchConfig(List.of("tcp", "unix"), List.of(Mode.LATENCY, Mode.THROUGHPUT),
                List.of(64, 65536), Duration.ofMillis(50), Duration.ofMillis(100), 0, 3, Duration.ofSeconds(10), Map.of());
        Benchmark benchmark = new Benchmark(new Runner(NanoClock.SYSTEM, () -> 0L, Runner::newHistogram), Progress.NONE);
        Results.Report report = benchmark.run(cfg, Environment.capture(), "test");
        assertEquals(8, report.measurements().size());
        for (Results.Measurement m : report.measurements()) {
            assertEquals("ok", m.status(), m.mechanism() + " " + m.mode() + " " + m.sizeBytes() + ": " + m.error());
            assertTrue(m.integrity().sent() > 0);
            assertEquals(m.integrity().sent(), m.integrity().received());
            assertTrue(m.parameters().containsKey("peer pid"));
        }
        Path json = dir.resolve("r.json");
        ResultWriters.json(report, json);
        assertEquals(report, ResultWriters.readJson(json));
        Path csv = dir.resolve("r.csv");
        ResultWriters.csv(report, csv);
        assertEquals(9, Files.readAllLines(csv).size());
    }

    @Test
    void sizesOverAMechanismsMaximumAreSkippedWithANote() {
        BenchConfig cfg = new BenchConfig(List.of("tcp"), List.of(Mode.LATENCY), List.of(64, 2 << 20),
                Duration.ZERO, Duration.ofMillis(10), 0, 1, Duration.ofSeconds(10), Map.of());
        Benchmark benchmark = new Benchmark(new Runner(NanoClock.SYSTEM, () -> 0L, Runner::newHistogram), Progress.NONE);
        assertEquals(1, benchmark.plan(cfg).size());
        Results.Report report = benchmark.report(cfg, Map.of(), "test", "now", false);
        assertTrue(report.notes().get(0).contains("over its maximum"), report.notes().toString());
    }
}
