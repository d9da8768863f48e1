package org.ipclab.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The results in JMH's JSON result shape ({@code -rf json}), so tools that load JMH runs (JMH
 * Visualizer and the like) load {@code ipc bench} runs: one entry per measurement, named
 * {@code ipclab.<mechanism>.latency|throughput}, with {@code size} as the benchmark parameter.
 * Latency is "avgt" in us/op (score = mean RTT, rawData = each repeat's mean); throughput is
 * "thrpt" in ops/s (rawData = each repeat's rate). Failed measurements are left out.
 */
public final class JmhFormat {
    private JmhFormat() {
    }

    public static List<Map<String, Object>> of(Results.Report r) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Results.Measurement m : r.measurements()) {
            if (m.summary() == null) continue;
            boolean latency = m.mode().equals("latency");
            if (latency && m.summary().latency() == null || !latency && m.summary().msgsPerSec() == null) continue;
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("jmhVersion", "ipclab " + r.version());
            b.put("benchmark", "ipclab." + m.mechanism() + "." + m.mode());
            b.put("mode", latency ? "avgt" : "thrpt");
            b.put("threads", 1);
            b.put("forks", 1);
            b.put("jvm", "java");
            b.put("jvmArgs", List.of(r.environment().getOrDefault("jvm flags", "").split(" ")));
            b.put("jdkVersion", System.getProperty("java.specification.version"));
            b.put("vmName", System.getProperty("java.vm.name"));
            b.put("vmVersion", System.getProperty("java.vm.version"));
            b.put("warmupIterations", 1);
            b.put("warmupTime", r.config() == null ? "" : r.config().warmup().toMillis() + " ms");
            b.put("warmupBatchSize", 1);
            b.put("measurementIterations", m.repeats().size());
            b.put("measurementTime", r.config() == null ? "" : r.config().duration().toMillis() + " ms");
            b.put("measurementBatchSize", 1);
            Map<String, String> params = new LinkedHashMap<>();
            params.put("size", Integer.toString(m.sizeBytes()));
            if (m.placement() != null) params.put("placement", m.placement()); // two placements are two benchmarks
            b.put("params", params);
            Map<String, Object> primary = new LinkedHashMap<>();
            List<Double> raw = new ArrayList<>();
            for (Results.Repeat rep : m.repeats()) {
                if (latency && rep.latency() != null) raw.add(rep.latency().meanUs());
                if (!latency && rep.msgsPerSec() != null) raw.add(rep.msgsPerSec());
            }
            double score;
            Map<String, Double> percentiles = new LinkedHashMap<>();
            if (latency) {
                Results.Latency l = m.summary().latency();
                score = l.meanUs();
                percentiles.put("0.0", minOf(m, l));
                percentiles.put("50.0", l.p50Us());
                percentiles.put("90.0", l.p90Us());
                percentiles.put("99.0", l.p99Us());
                percentiles.put("99.9", l.p999Us());
                percentiles.put("100.0", l.maxUs());
            } else {
                score = m.summary().msgsPerSec();
                Results.Spread s = m.summary().msgsPerSecSpread();
                percentiles.put("0.0", s == null ? score : s.min());
                percentiles.put("50.0", s == null ? score : s.median());
                percentiles.put("100.0", s == null ? score : s.max());
            }
            double lo = raw.stream().mapToDouble(Double::doubleValue).min().orElse(score);
            double hi = raw.stream().mapToDouble(Double::doubleValue).max().orElse(score);
            primary.put("score", score);
            // JMH's error is a confidence half-width; with few repeats, half the min..max range is the honest figure.
            primary.put("scoreError", (hi - lo) / 2);
            primary.put("scoreConfidence", List.of(lo, hi));
            primary.put("scorePercentiles", percentiles);
            primary.put("scoreUnit", latency ? "us/op" : "ops/s");
            primary.put("rawData", List.of(raw));
            b.put("primaryMetric", primary);
            Map<String, Object> secondary = new LinkedHashMap<>();
            if (!latency && m.summary().mbPerSec() != null) {
                secondary.put("MB/s", Map.of("score", m.summary().mbPerSec(), "scoreError", 0.0,
                        "scoreConfidence", List.of(m.summary().mbPerSec(), m.summary().mbPerSec()),
                        "scorePercentiles", Map.of(), "scoreUnit", "MB/s", "rawData", List.of(List.of(m.summary().mbPerSec()))));
            }
            b.put("secondaryMetrics", secondary);
            out.add(b);
        }
        return out;
    }

    private static double minOf(Results.Measurement m, Results.Latency l) {
        List<Results.Point> pts = m.summary().percentiles();
        return pts == null || pts.isEmpty() ? l.p50Us() : pts.get(0).us();
    }
}
