package org.ipclab.bench.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.HdrHistogram.Histogram;
import org.ipclab.bench.BenchConfig;
import org.ipclab.bench.Mode;
import org.ipclab.bench.Progress;
import org.ipclab.bench.ResultWriters;
import org.ipclab.bench.Results;
import org.ipclab.bench.baseline.NativeBaseline;
import org.ipclab.bench.baseline.NativeResult;
import org.ipclab.core.BadInputException;
import org.ipclab.core.Providers;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** N pairs against real peer processes, briefly: the merge, the isolation and the clean-up, not the figures. */
class PairsRunTest {
    private static final String UNIX = "unix";

    private static BenchConfig config(List<Mode> modes, Duration duration, int repeat) {
        return new BenchConfig(List.of(UNIX), modes, List.of(64), Duration.ofMillis(50), duration, 0, repeat,
                Duration.ofSeconds(10), Map.of());
    }

    @Test
    void twoPairsRunTwoPeersWithTheirOwnObjectsAndTheMergedHistogramCountsEveryPairsRoundTrips(@TempDir Path dir) throws Exception {
        Map<String, Histogram> merged = new ConcurrentHashMap<>();
        PairsRun run = new PairsRun(Progress.NONE).kernelCounters(false).onHistogram(merged::put);
        Results.Report report = run.run(config(List.of(Mode.LATENCY, Mode.THROUGHPUT), Duration.ofMillis(200), 2), List.of(2), Map.of(), "test");
        assertEquals(2, report.measurements().size());
        Results.Measurement lat = report.measurements().get(0);
        assertEquals("ok", lat.status(), lat.error());
        PairsFigures p = lat.pairs();
        assertEquals(2, p.pairs());
        assertEquals(2, p.perPair().size());
        assertNotEquals(p.perPair().get(0).peerPid(), p.perPair().get(1).peerPid(), "two peer processes");
        assertFalse(p.perPair().get(0).parameters().isEmpty(), "the pair's objects are named in its figures");
        assertNotEquals(p.perPair().get(0).parameters(), p.perPair().get(1).parameters(), "each pair has its own kernel objects");
        long sum = p.perPair().stream().mapToLong(x -> x.latency().count()).sum();
        assertTrue(sum > 0);
        assertEquals(sum, lat.summary().latency().count(), "the merged histogram holds every pair's round trips");
        assertEquals(sum, merged.get(UNIX + "-latency-64-pairs2").getTotalCount());
        assertEquals(lat.integrity().received(), sum);

        Results.Measurement thr = report.measurements().get(1);
        assertEquals("ok", thr.status(), thr.error());
        double rates = thr.pairs().perPair().stream().mapToDouble(PairsFigures.Pair::msgsPerSec).sum();
        assertEquals(rates, thr.summary().msgsPerSec(), rates * 1e-9, "the aggregate rate is the sum of the pairs'");

        Path json = dir.resolve("pairs.json");
        ResultWriters.json(report, json);
        assertEquals(report, ResultWriters.readJson(json), "the pairs figures survive the JSON round trip");
        assertNothingLeft();
    }

    @Test
    void eachPairCarriesItsOwnCountersAndTheRowsAreStillTheSumOverAllProcesses() throws Exception {
        Results.Report report = new PairsRun(Progress.NONE).run(config(List.of(Mode.LATENCY), Duration.ofMillis(200), 1), List.of(2), Map.of(), "test");
        Results.Measurement lat = report.measurements().get(0);
        assertEquals("ok", lat.status(), lat.error());
        Results.Counters row = lat.counters();
        assertEquals(List.of("runner", "peer"), row.groups().stream().map(Results.CounterGroup::process).distinct().toList(),
                "the row's groups read like one pair's; the pairs' own thread groups are not counted twice");
        long peersTotal = 0, runnerThreadsTotal = 0;
        for (PairsFigures.Pair pair : lat.pairs().perPair()) {
            Results.Counters c = pair.counters();
            assertEquals(pair.latency().count(), c.messages(), "per message of this pair");
            Results.CounterGroup runner = c.groups().stream().filter(g -> g.process().equals("runner")).findFirst().orElseThrow();
            assertEquals(1, runner.tids().size(), "the pair's runner thread alone: " + runner.tids());
            Results.CounterGroup peer = c.groups().stream().filter(g -> g.process().equals("peer") && g.threads().equals("work")).findFirst().orElseThrow();
            assertEquals(pair.peerPid(), peer.pid());
            assertTrue(peer.figures().get("ctx_voluntary").total() > 0, "a peer that answered round trips blocked in between");
            peersTotal += peer.figures().get("ctx_voluntary").total();
            runnerThreadsTotal += runner.figures().get("ctx_voluntary").total();
        }
        Results.CounterGroup rowPeer = row.groups().stream().filter(g -> g.process().equals("peer") && g.threads().equals("work")).findFirst().orElseThrow();
        Results.CounterGroup rowRunner = row.groups().stream().filter(g -> g.process().equals("runner") && g.threads().equals("work")).findFirst().orElseThrow();
        assertEquals((long) rowPeer.figures().get("ctx_voluntary").total(), peersTotal, "the same samples: the pairs' peers sum to the row's");
        assertTrue(runnerThreadsTotal <= rowRunner.figures().get("ctx_voluntary").total(), "the pair threads are part of the runner's work threads");
        assertNothingLeft();
    }

    @Test
    void aPairWhosePeerIsKilledFailsAloneAndTheOtherFinishes() throws Exception {
        List<Long> killed = Collections.synchronizedList(new ArrayList<>());
        PairsRun run = new PairsRun(Progress.NONE).kernelCounters(false).onStarted((label, pids) -> {
            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(300); // into the warm-up or the measured phase: either way mid-run
                } catch (InterruptedException e) {
                    return;
                }
                ProcessHandle.of(pids.get(1)).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
                killed.add(pids.get(1));
            });
            t.setDaemon(true);
            t.start();
        });
        Results.Report report = run.run(config(List.of(Mode.LATENCY), Duration.ofMillis(1500), 1), List.of(2), Map.of(), "test");
        Results.Measurement m = report.measurements().get(0);
        assertEquals(1, killed.size());
        PairsFigures p = m.pairs();
        assertEquals("ok", p.perPair().get(0).status(), p.perPair().get(0).error());
        assertEquals("failed", p.perPair().get(1).status());
        assertTrue(p.perPair().get(1).error().contains(Long.toString(killed.get(0))), p.perPair().get(1).error());
        assertEquals(1, p.failed());
        assertEquals("failed", m.status(), "a row with a failed pair is not reported as clean");
        assertTrue(m.error().contains("pair 2"), m.error());
        assertNotNull(m.summary(), "the other pair's figures are still reported");
        assertEquals(p.perPair().get(0).latency().count(), m.summary().latency().count());
        assertNothingLeft();
    }

    @Test
    void pairCountsAreCheckedBeforeAnythingStarts() {
        assertEquals(List.of(1, 2, 4), PairsRun.parseCounts("4,1,2,2", 16));
        for (String bad : List.of("0", "x", "-1", "", "1,,2", "17")) {
            BadInputException e = assertThrows(BadInputException.class, () -> PairsRun.parseCounts(bad, 16), bad);
            assertTrue(e.getMessage().startsWith("--pairs '" + bad + "'"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
    }

    @Test
    void theCProgramsSamplesRebuildItsDistributionExactly(@TempDir Path dir) throws IOException {
        Optional<NativeBaseline> c = NativeBaseline.prepare(NativeBaseline.defaultCacheRoot(), why -> { });
        Assumptions.assumeTrue(c.isPresent(), "no C compiler here");
        String program = Providers.get(UNIX).describe().nativeProgram().orElseThrow();
        Path samples = dir.resolve("samples");
        NativeResult r = c.get().run(program, "latency", 64, Duration.ofMillis(20), Duration.ofMillis(100), 0, samples);
        Histogram h = PairsRun.readSamples(samples);
        assertEquals(r.count(), h.getTotalCount(), "one sample per measured round trip");
        assertEquals(r.maxUs(), h.getMaxValue() / 1e3, r.maxUs() * 1e-3 + 0.002, "the same distribution, to HdrHistogram's precision");
    }

    @Test
    void theCBaselineRunsTheSameNumberOfPairsAndIsMergedTheSameWay() throws IOException {
        Optional<NativeBaseline> c = NativeBaseline.prepare(NativeBaseline.defaultCacheRoot(), why -> { });
        Assumptions.assumeTrue(c.isPresent(), "no C compiler here");
        Map<String, Histogram> merged = new ConcurrentHashMap<>();
        PairsRun run = new PairsRun(Progress.NONE).kernelCounters(false).baseline(c.get()).onHistogram(merged::put);
        Results.Report report = run.run(config(List.of(Mode.LATENCY), Duration.ofMillis(150), 1), List.of(2), Map.of(), "test");
        Results.Measurement m = report.measurements().get(0);
        assertEquals("ok", m.status(), m.error());
        assertNull(m.baseline().error(), m.baseline().error());
        assertEquals(2, m.pairs().nativePairs().size());
        long sum = m.pairs().nativePairs().stream().mapToLong(x -> x.latency().count()).sum();
        assertEquals(sum, merged.get(UNIX + "-latency-64-pairs2-c").getTotalCount());
        assertTrue(m.pairs().shape().contains("C: 2 C runner processes"), m.pairs().shape());
        assertNothingLeft();
    }

    @Test
    void aBackgroundLoadIsStartedMeasuredAndStoppedWithNothingLeftRunning() throws Exception {
        List<Long> pids;
        try (Background b = Background.parse("cpu:2").start()) {
            pids = b.pids();
            assertEquals(2, pids.size());
            for (long pid : pids) assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "spinner " + pid + " runs");
            PairsFigures.Load f = b.figures();
            assertEquals("cpu:2", f.spec());
            assertNotNull(f.cpuSeconds());
            assertNull(f.error(), f.error());
        }
        for (long pid : pids) assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "spinner " + pid + " stopped");

        List<Long> pairPids;
        try (Background b = Background.parse("pair:" + UNIX).start()) {
            pairPids = b.pids();
            assertEquals(1, pairPids.size());
            assertNotNull(b.figures().messages(), "a pair load counts its own messages");
        }
        for (long pid : pairPids) assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "load peer " + pid + " stopped");
        assertNothingLeft();
    }

    @Test
    void aBadBackgroundIsAOneLineError() {
        for (String bad : List.of("cpu:0", "cpu:x", "cpu:100000", "gpu:1", "pair:", "pair:nosuch")) {
            BadInputException e = assertThrows(BadInputException.class, () -> Background.parse(bad), bad);
            assertTrue(e.getMessage().contains(bad.substring(0, bad.indexOf(':'))), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
    }

    /** No file or directory of this JVM's in /tmp or /dev/shm: every pair's objects were removed. */
    static void assertNothingLeft() throws IOException {
        String mine = "ipclab-" + ProcessHandle.current().pid() + "-";
        for (Path dir : List.of(Path.of(System.getProperty("java.io.tmpdir")), Path.of("/dev/shm"))) {
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> s = Files.list(dir)) {
                List<String> left = s.map(x -> x.getFileName().toString()).filter(n -> n.startsWith(mine)).toList();
                assertEquals(List.of(), left, "left in " + dir);
            }
        }
    }
}
