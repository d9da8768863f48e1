package org.ipclab.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.ipclab.bench.Results;
import org.ipclab.bench.scale.PairsFigures;
import org.junit.jupiter.api.Test;

/** The scaling section from injected rows: the knee, the counter that says why, the charts. */
class ScalingSectionTest {
    private static Results.Counters counters(double ctxPerMsg, double waitNsPerMsg) {
        long messages = 1000;
        Map<String, Results.Figure> f = Map.of(
                "ctx_voluntary", Results.Figure.of(Math.round(ctxPerMsg * messages), messages, "status"),
                "ctx_involuntary", Results.Figure.of(0, messages, "status"),
                "wait_ns", Results.Figure.of(Math.round(waitNsPerMsg * messages), messages, "schedstat"));
        return new Results.Counters(messages, "message", List.of(new Results.CounterGroup("runner", "work", 1, List.of(1L), "0", List.of(0), f)), null);
    }

    private static Results.Measurement row(int n, double rate, double ctx, double waitNs) {
        List<PairsFigures.Pair> pairs = new ArrayList<>();
        for (int i = 0; i < n; i++) pairs.add(new PairsFigures.Pair(i + 1, "ok", null, 100L + i, null, rate / n, null, null, Map.of()));
        PairsFigures p = new PairsFigures(n, "Java: 1 runner JVM × " + n + " threads", "unpinned", "summed", 0, pairs, List.of(), null);
        return new Results.Measurement("m", "throughput", 64, "ok", null, Map.of(), List.of(),
                new Results.Summary(null, null, rate, rate * 64 / 1e6, null), new Results.Integrity(1, 1, 0, 0, 0), null)
                .withCounters(counters(ctx, waitNs)).withPairs(p);
    }

    @Test
    void theKneeIsTheLastPairCountBeforeAStepThatAddsLittleAndTheCountersSayWhy() {
        Results.Report r = new Results.Report("ipclab", "test", "now", Map.of(), null,
                List.of(row(1, 100_000, 1.0, 500), row(2, 190_000, 1.1, 600), row(4, 200_000, 3.0, 9_000)), List.of(), false);
        Map<String, List<ScalingSection.Point>> curves = ScalingSection.curves(r);
        assertEquals(1, curves.size());
        String knee = ScalingSection.knee(curves.values().iterator().next(), false);
        assertTrue(knee.startsWith("stops at 2 pairs (2 → 4"), knee);
        assertTrue(knee.contains("run-queue wait 0.60 → 9.00 µs/msg"), knee);
        assertTrue(knee.contains("context switches 1.10 → 3.00"), knee);

        String html = Reports.html(r);
        assertTrue(html.contains("<h2>Scaling</h2>") && html.contains("Aggregate rate vs pairs") && html.contains("<svg"), html);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ScalingSection.text(r, new PrintStream(out, true, StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("stops at 2 pairs"), out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aCurveThatKeepsRisingHasNoKneeAndAReportWithoutPairsHasNoSection() {
        Results.Report r = new Results.Report("ipclab", "test", "now", Map.of(), null,
                List.of(row(1, 100_000, 1, 1), row(2, 200_000, 1, 1)), List.of(), false);
        assertEquals("still rising at 2 pairs", ScalingSection.knee(ScalingSection.curves(r).values().iterator().next(), false));
        Results.Report plain = new Results.Report("ipclab", "test", "now", Map.of(), null, List.of(), List.of(), false);
        assertEquals("", ScalingSection.html(plain));
    }
}
