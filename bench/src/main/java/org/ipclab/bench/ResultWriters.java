package org.ipclab.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import org.ipclab.bench.counters.CounterText;
import org.ipclab.core.Units;

/** Results as a terminal table, JSON (docs/results-schema.md) and CSV. */
public final class ResultWriters {
    private static final ObjectMapper JSON = JsonMapper.builder()
            // Schema 1 files spelled config.modes "LATENCY": still read them.
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .addMixIn(Mode.class, ModeAsLabel.class)
            .build()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            // Later versions may add fields (docs/results-schema.md): readers ignore what they do not know.
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ResultWriters() {
    }

    /** One spelling per enum: modes are "latency"/"throughput" in config.modes as in measurements[].mode. */
    private abstract static class ModeAsLabel {
        @JsonValue
        abstract String label();
    }

    public static void json(Results.Report report, Path file) throws IOException {
        JSON.writeValue(file.toFile(), report);
    }

    /** The JSON to a stream left open (stdout for {@code --json -}). */
    public static void json(Object value, java.io.OutputStream out) throws IOException {
        JSON.writer().without(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET).writeValue(out, value);
        out.write('\n');
        out.flush();
    }

    /** The mapper results are written with, for other shapes of the same data (JMH's). */
    public static ObjectMapper mapper() {
        return JSON;
    }

    public static Results.Report readJson(Path file) throws IOException {
        return JSON.readValue(file.toFile(), Results.Report.class);
    }

    static final String CSV_HEADER = "mechanism,mode,size_bytes,status,p50_us,p90_us,p99_us,p999_us,max_us,mean_us,"
            + "p50_spread_pct,msgs_per_s,mb_per_s,rate_spread_pct,sent,received,lost,reordered,corrupt,"
            + "cpu_runner_us_per_msg,cpu_peer_us_per_msg,repeats,error,"
            + "syscalls_runner_per_msg,syscalls_peer_per_msg,ctx_runner_per_msg,ctx_peer_per_msg,copies_per_msg,"
            + "c_syscalls_runner_per_msg,c_syscalls_peer_per_msg,c_ctx_runner_per_msg,c_ctx_peer_per_msg,c_copies_per_msg,placement,"
            + "clients,min_share,max_share,duplicates,c_cpu_runner_us_per_msg,c_cpu_peer_us_per_msg";

    public static void csv(Results.Report report, Path file) throws IOException {
        try (Writer w = Files.newBufferedWriter(file)) {
            w.write(CSV_HEADER);
            w.write('\n');
            for (Results.Measurement m : report.measurements()) {
                Results.Summary s = m.summary();
                Results.Latency l = s == null ? null : s.latency();
                Results.Integrity i = m.integrity();
                Results.Cpu c = m.cpu();
                List<Object> cols = java.util.Arrays.asList(m.mechanism(), m.mode(), m.sizeBytes(), m.status(),
                        l == null ? null : l.p50Us(), l == null ? null : l.p90Us(), l == null ? null : l.p99Us(),
                        l == null ? null : l.p999Us(), l == null ? null : l.maxUs(), l == null ? null : l.meanUs(),
                        s == null || s.p50Us() == null ? null : s.p50Us().percent(),
                        s == null ? null : s.msgsPerSec(), s == null ? null : s.mbPerSec(),
                        s == null || s.msgsPerSecSpread() == null ? null : s.msgsPerSecSpread().percent(),
                        i == null ? null : i.sent(), i == null ? null : i.received(), i == null ? null : i.lost(),
                        i == null ? null : i.reordered(), i == null ? null : i.corrupt(),
                        c == null ? null : c.runnerUsPerMsg(), c == null ? null : c.peerUsPerMsg(),
                        m.repeats().size(), m.error());
                cols = new java.util.ArrayList<>(cols);
                Results.Counters k = m.counters();
                Results.Counters kc = m.baseline() == null ? null : m.baseline().counters();
                for (Results.Counters x : java.util.Arrays.asList(k, kc)) {
                    cols.addAll(java.util.Arrays.asList(CounterText.perMessage(x, "runner", "syscalls"),
                            CounterText.perMessage(x, "peer", "syscalls"), CounterText.switches(x, "runner"),
                            CounterText.switches(x, "peer"), CounterText.copies(x, m.sizeBytes())));
                }
                cols.add(m.placement());
                Results.FanIn f = m.fanIn(); // --clients rows; empty for a pair
                cols.addAll(java.util.Arrays.asList(f == null ? null : f.clients(),
                        f == null || f.fairness() == null ? null : f.fairness().minShare(),
                        f == null || f.fairness() == null ? null : f.fairness().maxShare()));
                cols.add(i == null ? null : i.duplicates()); // appended: columns are only ever added at the end
                Results.Cpu cc = m.baseline() == null ? null : m.baseline().cpu();
                cols.addAll(java.util.Arrays.asList(cc == null ? null : cc.runnerUsPerMsg(), cc == null ? null : cc.peerUsPerMsg()));
                w.write(cols.stream().map(ResultWriters::csvCell).collect(Collectors.joining(",")));
                w.write('\n');
            }
        }
    }

    private static String csvCell(Object o) {
        if (o == null) return "";
        if (o instanceof Double) return String.format(Locale.ROOT, "%.3f", (Double) o);
        String s = o.toString();
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    // ------------------------------------------------------------------ terminal

    /** The mechanism, and the shape of a scaling row: "unix ×4" (4 pairs), "tcp 16 clients" (fan-in). */
    public static String rowName(Results.Measurement m) {
        if (m.pairs() != null) return m.mechanism() + " ×" + m.pairs().pairs();
        if (m.fanIn() != null) return m.mechanism() + " " + m.fanIn().clients() + " clients";
        return m.mechanism();
    }

    public static void header(Results.Report report, PrintStream out) {
        out.println("ipclab " + report.version() + " — " + report.startedAt());
        for (Map.Entry<String, String> e : report.environment().entrySet()) {
            out.printf("  %-14s %s%n", e.getKey(), e.getValue().isEmpty() ? "(none)" : e.getValue());
        }
    }

    /** Latency rows, then throughput rows, then failures and notes. */
    public static void table(Results.Report report, PrintStream out) {
        // Fan-in rows (--clients) have their own table: aggregate, fairness, failed clients.
        List<Results.Measurement> pairs = report.measurements().stream().filter(m -> m.fanIn() == null).toList();
        List<Results.Measurement> lat = pairs.stream()
                .filter(m -> m.mode().equals("latency") && m.summary() != null && !m.summary().openLoop()).toList();
        List<Results.Measurement> open = pairs.stream()
                .filter(m -> m.mode().equals("latency") && m.summary() != null && m.summary().openLoop()).toList();
        List<Results.Measurement> thr = pairs.stream().filter(m -> m.mode().equals("throughput") && m.summary() != null).toList();
        boolean withC = report.measurements().stream().anyMatch(m -> m.baseline() != null);
        boolean withCounters = report.measurements().stream().anyMatch(m -> m.counters() != null);
        boolean withPlacement = report.measurements().stream().anyMatch(m -> m.placement() != null);
        if (!lat.isEmpty()) {
            out.println();
            out.println("Latency: round-trip time (RTT) in µs, closed loop; spread = (max-min)/median of the repeats' p50"
                    + (withC ? "; C = the native C program, same mechanism and size, Java/C = ratio of p50" : ""));
            out.printf("%-16s %8s%s %9s %9s %9s %9s %9s %9s %7s%s %11s%s %s%n", "mechanism", "size", placeHeader(withPlacement), "p50", "p90", "p99", "p99.9",
                    "max", "mean", "spread", withC ? String.format("%9s %7s", "C p50", "Java/C") : "", cpuHeader(withC),
                    counterHeader(withCounters, withC), "sent/lost/reord/corrupt");
            for (Results.Measurement m : lat) {
                Results.Latency l = m.summary().latency();
                out.printf(Locale.ROOT, "%-16s %8s%s %9.2f %9.2f %9.2f %9.2f %9.1f %9.2f %6.0f%%%s %11s%s %s%s%n", rowName(m),
                        Units.formatSize(m.sizeBytes()), place(m, withPlacement), l.p50Us(), l.p90Us(), l.p99Us(), l.p999Us(), l.maxUs(), l.meanUs(),
                        m.summary().p50Us().percent(), withC ? cColumns(m.baseline(), m.baseline() == null ? null : m.baseline().p50Us(),
                                m.baseline() == null ? null : m.baseline().p50Ratio(), "%9.2f") : "",
                        cpuColumns(m, withC), counterColumns(m, withCounters, withC), integrity(m.integrity()), flag(m));
            }
        }
        if (!open.isEmpty()) {
            out.println();
            out.printf(Locale.ROOT, "Open-loop latency in µs at %,.0f msgs/s: from the intended send time (corrected); raw = from the actual send time%n",
                    open.get(0).summary().targetRate());
            out.printf("%-16s %8s%s %9s %9s %9s %9s %9s %10s %10s%s %11s%s %s%n", "mechanism", "size", placeHeader(withPlacement), "p50", "p99", "p99.9",
                    "max", "raw p99", "raw max", "achieved/s", withC ? String.format("%9s %7s", "C p50", "Java/C") : "", cpuHeader(withC),
                    counterHeader(withCounters, withC), "sent/lost/reord/corrupt");
            for (Results.Measurement m : open) {
                Results.Latency l = m.summary().latency();
                Results.Latency r = m.summary().rawLatency();
                boolean behind = m.summary().achievedRate() < 0.95 * m.summary().targetRate();
                out.printf(Locale.ROOT, "%-16s %8s%s %9.2f %9.2f %9.2f %9.1f %9.2f %10.1f %,10.0f%s %11s%s %s%s%s%n", rowName(m),
                        Units.formatSize(m.sizeBytes()), place(m, withPlacement), l.p50Us(), l.p99Us(), l.p999Us(), l.maxUs(), r.p99Us(), r.maxUs(),
                        m.summary().achievedRate(), withC ? cColumns(m.baseline(), m.baseline() == null ? null : m.baseline().p50Us(),
                                m.baseline() == null ? null : m.baseline().p50Ratio(), "%9.2f") : "",
                        cpuColumns(m, withC), counterColumns(m, withCounters, withC), integrity(m.integrity()), flag(m),
                        behind ? "  <-- TARGET RATE NOT ACHIEVED: the sender fell behind its schedule" : "");
            }
        }
        if (!thr.isEmpty()) {
            out.println();
            out.println("Throughput: one-way stream, counted and verified by the receiving process");
            out.printf("%-16s %8s%s %12s %10s %7s%s %11s%s %s%n", "mechanism", "size", placeHeader(withPlacement), "msgs/s", "MB/s", "spread",
                    withC ? String.format("%12s %7s", "C msgs/s", "Java/C") : "", cpuHeader(withC),
                    counterHeader(withCounters, withC), "sent/lost/reord/corrupt");
            for (Results.Measurement m : thr) {
                out.printf(Locale.ROOT, "%-16s %8s%s %,12.0f %10.1f %6.0f%%%s %11s%s %s%s%n", rowName(m),
                        Units.formatSize(m.sizeBytes()), place(m, withPlacement), m.summary().msgsPerSec(), m.summary().mbPerSec(),
                        m.summary().msgsPerSecSpread().percent(), withC ? cColumns(m.baseline(), m.baseline() == null ? null : m.baseline().msgsPerSec(),
                                m.baseline() == null ? null : m.baseline().rateRatio(), "%,12.0f") : "",
                        cpuColumns(m, withC), counterColumns(m, withCounters, withC), integrity(m.integrity()), flag(m));
            }
        }
        org.ipclab.bench.fanin.FanInTable.print(report, out);
        List<Results.Measurement> failed = report.measurements().stream().filter(m -> "failed".equals(m.status())).toList();
        if (!failed.isEmpty()) {
            out.println();
            out.println("Failed:");
            for (Results.Measurement m : failed) {
                out.println("  " + rowName(m) + " " + m.mode() + " " + Units.formatSize(m.sizeBytes()) + ": " + m.error());
            }
        }
        report.measurements().stream().filter(m -> m.baseline() != null && m.baseline().error() != null).forEach(m ->
                out.println("note: C baseline for " + m.mechanism() + " " + m.mode() + " " + Units.formatSize(m.sizeBytes())
                        + " failed: " + m.baseline().error()));
        if (withCounters) {
            out.println();
            out.println("sys/msg, ctx/msg: system calls and context switches per message (per round trip in latency mode) of"
                    + " the runner+peer threads doing the work, JVM threads (GC, JIT) apart in the JSON;"
                    + (withC ? " C sys, C ctx: the same for the C pair;" : "") + " n/a: the kernel would not tell (the JSON says why)");
            report.measurements().stream().map(Results.Measurement::counters).filter(c -> c != null && c.perf() != null)
                    .map(Results.Counters::perf).distinct().findFirst().ifPresent(why -> out.println("note: no system-call counts: " + why));
        }
        if (!report.notes().isEmpty()) {
            out.println();
            report.notes().forEach(n -> out.println("note: " + n));
        }
        if (report.partial()) {
            out.println();
            out.println("PARTIAL RESULTS: the run was interrupted; only the rows above were measured.");
        }
    }

    private static String cColumns(Results.Baseline b, Double value, Double ratio, String valueFormat) {
        int width = valueFormat.contains("12") ? 12 : 9;
        if (b == null) return String.format(" %" + width + "s %7s", "-", "-");
        if (b.error() != null || value == null) return String.format(" %" + width + "s %7s", "failed", "-");
        return String.format(Locale.ROOT, " " + valueFormat + " %7s", value, ratio == null ? "-" : String.format(Locale.ROOT, "%.2f", ratio));
    }

    private static String placeHeader(boolean withPlacement) {
        return withPlacement ? String.format(" %-13s", "placement") : "";
    }

    private static String place(Results.Measurement m, boolean withPlacement) {
        return withPlacement ? String.format(" %-13s", m.placement() == null ? "-" : m.placement()) : "";
    }

    private static String counterHeader(boolean withCounters, boolean withC) {
        if (!withCounters) return "";
        return String.format(" %11s %11s", "sys/msg", "ctx/msg") + (withC ? String.format(" %11s %11s", "C sys", "C ctx") : "");
    }

    private static String counterColumns(Results.Measurement m, boolean withCounters, boolean withC) {
        if (!withCounters) return "";
        Results.Counters c = m.baseline() == null ? null : m.baseline().counters();
        return String.format(" %11s %11s", CounterText.pair(m.counters(), "syscalls"), CounterText.pair(m.counters(), "ctx"))
                + (withC ? String.format(" %11s %11s", CounterText.pair(c, "syscalls"), CounterText.pair(c, "ctx")) : "");
    }

    private static String flag(Results.Measurement m) {
        return "integrity".equals(m.status()) ? "  <-- " + m.error() : "";
    }

    /** CPU time per message of the runner/peer; with C rows, the C program's beside it (the Java tax in CPU, not only in time). */
    private static String cpuHeader(boolean withC) {
        return withC ? String.format("%11s %11s", "cpu µs/msg", "C cpu") : String.format("%11s", "cpu µs/msg");
    }

    private static String cpuColumns(Results.Measurement m, boolean withC) {
        if (!withC) return String.format("%11s", cpu(m.cpu()));
        return String.format("%11s %11s", cpu(m.cpu()), cpu(m.baseline() == null ? null : m.baseline().cpu()));
    }

    private static String cpu(Results.Cpu c) {
        if (c == null || c.runnerUsPerMsg() == null) return "-";
        return String.format(Locale.ROOT, "%.1f/%s", c.runnerUsPerMsg(),
                c.peerUsPerMsg() == null ? "-" : String.format(Locale.ROOT, "%.1f", c.peerUsPerMsg()));
    }

    private static String integrity(Results.Integrity i) {
        if (i == null) return "-";
        return i.sent() + "/" + i.lost() + "/" + i.reordered() + "/" + i.corrupt() + duplicates(i);
    }

    /** Shown only when there are any, so the column stays narrow; never left out when there are. */
    public static String duplicates(Results.Integrity i) {
        return i.duplicates() == 0 ? "" : " +" + i.duplicates() + " dup";
    }

    /** The effective parameters of each mechanism, once. */
    public static void parameters(Results.Report report, PrintStream out) {
        Map<String, Map<String, String>> byMechanism = new java.util.LinkedHashMap<>();
        for (Results.Measurement m : report.measurements()) {
            if (!m.parameters().isEmpty()) byMechanism.putIfAbsent(m.mechanism(), m.parameters());
        }
        if (byMechanism.isEmpty()) return;
        out.println();
        out.println("Effective parameters:");
        byMechanism.forEach((mech, params) -> out.println("  " + mech + ": " + params.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "))));
    }
}
