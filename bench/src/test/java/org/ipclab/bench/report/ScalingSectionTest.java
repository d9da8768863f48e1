package org.ipclab.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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

/** The scaling section from hand-built rows: the knee, the counters that say why, the charts, for pairs and fan-in. */
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

    /** A fan-in latency row as {@code ipc bench --clients} writes it: the rate in its one repeat, no counters, a C baseline. */
    private static Results.Measurement fanIn(int clients, int finished, double rate, double p99, double cRate, double cP99) {
        Results.Latency l = new Results.Latency(1000, 5, 8, p99, p99 * 2, p99 * 3, 6);
        List<Results.ClientResult> per = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            per.add(new Results.ClientResult(i + 1, 200L + i, i < finished ? "ok" : "failed", i < finished ? null : "killed by signal 9",
                    1000, 0.5, rate / finished, 1.0 / finished, new Results.Integrity(1000, 1000, 0, 0, 0), l));
        }
        return new Results.Measurement("unix", "latency", 64, "ok", null, Map.of(), List.of(new Results.Repeat(1000, 0.5, l, rate, null)),
                new Results.Summary(l, null, null, null, null), new Results.Integrity(1000, 1000, 0, 0, 0), null)
                .withBaseline(new Results.Baseline("unix", 3.0, cP99, cRate, null, null, null, null, null))
                .withFanIn(new Results.FanIn(clients, finished, per, null));
    }

    private static Results.Report report(List<Results.Measurement> rows) {
        return new Results.Report("ipclab", "test", "now", Map.of(), null, rows, List.of(), false);
    }

    @Test
    void thePairsKneeIsTheFirstNWhoseRateGrowsLittleAndTheCountersAcrossThatStepSayWhy() {
        Results.Report r = report(List.of(row(1, 100_000, 1.0, 500), row(2, 190_000, 1.1, 600), row(4, 200_000, 3.0, 9_000)));
        List<ScalingSection.Curve> curves = ScalingSection.curves(r);
        assertEquals(1, curves.size());
        ScalingSection.Knee knee = ScalingSection.knee(curves.get(0), false);
        assertEquals(4, knee.knee());
        assertTrue(knee.step().startsWith("knee at 4 pairs: rate ×1.05 over 2"), knee.step());
        assertTrue(knee.counters().contains("run-queue wait 0.60 → 9.00 µs/msg"), knee.counters());
        assertTrue(knee.counters().contains("context switches 1.10 → 3.00"), knee.counters());

        String html = Reports.html(r);
        assertTrue(html.contains("<h2>Scaling</h2>") && html.contains("Aggregate msgs/s vs pairs") && html.contains("<svg"), html);
        assertTrue(html.contains("Where it stops scaling") && html.contains("less than 15%"), html);
        assertEquals(2, html.split("Aggregate msgs/s vs pairs", -1).length - 1, "the chart once (its label and title), in the scaling section only");
        String md = Reports.markdown(r);
        assertTrue(md.contains("| pairs | m | throughput | 64 B | – | knee at 4 pairs: rate ×1.05 over 2 | run-queue wait 0.60 → 9.00 µs/msg"), md);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ScalingSection.text(r, new PrintStream(out, true, StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("knee at 4 pairs"), out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void fanInRowsMakeTheirOwnCurvesJavaBesideCWithAKneeAndCharts() {
        // Java: 80k → 120k (+50%) → 125k (+4%): the knee at 4 clients; C: 16k → 500k → 900k, still rising
        Results.Report r = report(List.of(row(1, 100_000, 1, 1), row(2, 200_000, 1, 1),
                fanIn(1, 1, 80_000, 80, 16_000, 100), fanIn(2, 2, 120_000, 60, 500_000, 6), fanIn(4, 3, 125_000, 300, 900_000, 9)));
        List<ScalingSection.Curve> curves = ScalingSection.curves(r);
        assertEquals(2, curves.size());
        ScalingSection.Curve fan = curves.get(1);
        assertEquals(ScalingSection.Shape.CLIENTS, fan.shape());
        assertEquals(List.of(1, 2, 4), fan.points().stream().map(ScalingSection.Point::n).toList());
        assertEquals(300.0, fan.points().get(2).p99Us());
        assertEquals(9.0, fan.points().get(2).cP99Us());
        assertEquals(1, fan.points().get(2).failed());
        ScalingSection.Knee java = ScalingSection.knee(fan, false);
        assertEquals(4, java.knee());
        assertTrue(java.step().startsWith("knee at 4 clients: rate ×1.04 over 2"), java.step());
        assertEquals("no counters in these rows", java.counters());
        ScalingSection.Knee c = ScalingSection.knee(fan, true);
        assertNull(c.knee());
        assertEquals("still rising at 4 clients", c.step());
        assertEquals("no counters in these rows", c.counters());

        Map<String, String> charts = Reports.charts(r);
        assertTrue(charts.keySet().containsAll(List.of("scaling-pairs-throughput", "scaling-clients-latency", "scaling-clients-p99")), charts.keySet().toString());
        assertFalse(charts.containsKey("scaling-pairs-p99"), "throughput-only pairs have no p99 curve");
        assertTrue(charts.get("scaling-clients-p99").contains("unix latency 64 B C"), "C beside Java");
        String html = Reports.html(r);
        assertTrue(html.contains("N clients into one server (fan-in)") && html.contains("RTT p99 vs clients"), html);
        String md = Reports.markdown(r);
        assertTrue(md.contains("| fan-in | unix | latency | 64 B | – | knee at 4 clients: rate ×1.04 over 2 | no counters in these rows"
                + " | still rising at 4 clients |"), md);
    }

    @Test
    void aCurveThatKeepsRisingHasNoKneeAndAReportWithoutPairsOrClientsHasNoSection() {
        Results.Report r = report(List.of(row(1, 100_000, 1, 1), row(2, 200_000, 1, 1)));
        ScalingSection.Knee k = ScalingSection.knee(ScalingSection.curves(r).get(0), false);
        assertNull(k.knee());
        assertEquals("still rising at 2 pairs", k.step());
        Results.Report plain = report(List.of());
        assertEquals("", ScalingSection.html(plain));
        assertEquals("", ScalingSection.markdown(plain));
        assertTrue(Reports.charts(plain).keySet().stream().noneMatch(n -> n.startsWith("scaling-")));
    }
}
