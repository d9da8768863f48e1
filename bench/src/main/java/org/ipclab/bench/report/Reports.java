package org.ipclab.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import org.ipclab.bench.ResultWriters;
import org.ipclab.bench.Results;
import org.ipclab.core.BadInputException;
import org.ipclab.core.Units;

/** Turns a results JSON into a self-contained HTML page with charts, or a Markdown table. */
public final class Reports {
    private Reports() {
    }

    /** Reads a results file, with one-line errors for a missing, unreadable or foreign file. */
    public static Results.Report read(Path file) {
        return read(file, "of schema " + Results.SCHEMA_VERSION);
    }

    /**
     * Reads a results file; {@code thisVersion} (the reading ipclab's version) goes into the error
     * for a file of a newer schema, which is refused before its fields are interpreted.
     */
    public static Results.Report read(Path file, String thisVersion) {
        if (!Files.isRegularFile(file)) throw new BadInputException(file + ": no such file");
        if (!Files.isReadable(file)) throw new BadInputException(file + ": not readable");
        Results.Report r;
        try {
            JsonNode tree = ResultWriters.mapper().readTree(file.toFile());
            if (tree == null || !tree.isObject() || !"ipclab".equals(tree.path("tool").asText(null))) {
                throw new BadInputException(file + ": not an ipclab results file (field \"tool\" is not \"ipclab\")");
            }
            JsonNode schema = tree.path("schemaVersion");
            if (!schema.isMissingNode() && !schema.isNull() && !schema.canConvertToInt()) {
                throw new BadInputException(file + ": field \"schemaVersion\" is not a number: " + schema);
            }
            if (schema.asInt(1) > Results.SCHEMA_VERSION) {
                throw new BadInputException(file + ": field \"schemaVersion\" is " + schema.asInt() + ", newer than "
                        + Results.SCHEMA_VERSION + ": written by ipclab " + tree.path("version").asText("?") + ", this is ipclab " + thisVersion);
            }
            r = ResultWriters.mapper().treeToValue(tree, Results.Report.class);
        } catch (JsonProcessingException e) {
            throw new BadInputException(file + ": not an ipclab results file (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
        if (r == null || !"ipclab".equals(r.tool()) || r.measurements() == null) {
            throw new BadInputException(file + ": not an ipclab results file (no \"tool\": \"ipclab\" with measurements)");
        }
        return r;
    }

    // ------------------------------------------------------------------ markdown

    public static String markdown(Results.Report r) {
        StringBuilder sb = new StringBuilder();
        sb.append("Measured by ipclab ").append(r.version()).append(" on ").append(r.startedAt())
                .append(r.partial() ? " (PARTIAL: interrupted)" : "").append(".\n\n");
        sb.append("| mechanism | size | RTT p50 µs | p99 µs | p99.9 µs | C p50 µs | Java/C p50 | msgs/s | MB/s | C msgs/s | Java/C rate | cpu µs/msg (runner/peer) | sent/lost/reord/corrupt |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Row row : rows(r)) {
            Results.Baseline lc = row.lat == null ? null : row.lat.baseline();
            Results.Baseline tc = row.thr == null ? null : row.thr.baseline();
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", row.label(), Units.formatSize(row.size),
                    f2(row.lat == null ? null : row.lat.summary().latency().p50Us()),
                    f2(row.lat == null ? null : row.lat.summary().latency().p99Us()),
                    f2(row.lat == null ? null : row.lat.summary().latency().p999Us()),
                    f2(lc == null ? null : lc.p50Us()), f2(lc == null ? null : lc.p50Ratio()),
                    row.thr == null ? "–" : String.format(Locale.ROOT, "%,.0f", row.thr.summary().msgsPerSec()),
                    row.thr == null ? "–" : String.format(Locale.ROOT, "%.1f", row.thr.summary().mbPerSec()),
                    tc == null || tc.msgsPerSec() == null ? "–" : String.format(Locale.ROOT, "%,.0f", tc.msgsPerSec()),
                    f2(tc == null ? null : tc.rateRatio()),
                    cpu(row.lat != null ? row.lat : row.thr), integrity(row)));
        }
        sb.append(ScalingSection.markdown(r)); // --pairs and --clients: where each curve stops scaling; "" otherwise
        List<Results.Measurement> failed = r.measurements().stream().filter(m -> "failed".equals(m.status())).toList();
        if (!failed.isEmpty()) {
            sb.append("\nFailed:\n\n");
            failed.forEach(m -> sb.append("- ").append(series(m)).append(' ').append(m.mode()).append(' ')
                    .append(Units.formatSize(m.sizeBytes())).append(": ").append(m.error()).append('\n'));
        }
        sb.append("\nEnvironment: ").append(r.environment().entrySet().stream()
                .filter(e -> !e.getKey().equals("jvm flags"))
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining("; "))).append(".\n");
        return sb.toString();
    }

    /**
     * Latency and throughput of one mechanism, placement and size side by side; {@code placement}
     * is null for a run with one placement (the environment's "pinning" says which).
     */
    private record Row(String mechanism, String placement, int size, Results.Measurement lat, Results.Measurement thr) {
        String label() {
            return placement == null ? mechanism : mechanism + " " + placement;
        }
    }

    private static List<Row> rows(Results.Report r) {
        List<Results.Measurement> ok = r.measurements().stream().filter(m -> m.summary() != null).toList();
        Map<List<Object>, Row> rows = new java.util.LinkedHashMap<>();
        // keyed by the row's name too: a --pairs or --clients sweep has a row per N
        ok.stream().sorted(java.util.Comparator.comparing(Results.Measurement::mechanism)
                        .thenComparing(m -> m.placement() == null ? "" : m.placement())
                        .thenComparingInt(m -> m.pairs() != null ? m.pairs().pairs() : m.fanIn() != null ? m.fanIn().clients() : 0)
                        .thenComparingInt(Results.Measurement::sizeBytes))
                .forEach(m -> rows.merge(java.util.Arrays.asList(ResultWriters.rowName(m), m.placement(), m.sizeBytes()),
                        new Row(ResultWriters.rowName(m), m.placement(), m.sizeBytes(), m.mode().equals("latency") ? m : null,
                                m.mode().equals("throughput") ? m : null),
                        (a, b) -> new Row(a.mechanism, a.placement, a.size, a.lat != null ? a.lat : b.lat, a.thr != null ? a.thr : b.thr)));
        return List.copyOf(rows.values());
    }

    /** A chart's series name: the mechanism, and the placement when the run had several. */
    private static String series(Results.Measurement m) {
        String name = ResultWriters.rowName(m);
        return m.placement() == null ? name : name + " " + m.placement();
    }

    private static String f2(Double v) {
        return v == null ? "–" : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String cpu(Results.Measurement m) {
        if (m == null || m.cpu() == null || m.cpu().runnerUsPerMsg() == null) return "–";
        return String.format(Locale.ROOT, "%.1f / %s", m.cpu().runnerUsPerMsg(),
                m.cpu().peerUsPerMsg() == null ? "–" : String.format(Locale.ROOT, "%.1f", m.cpu().peerUsPerMsg()));
    }

    private static String integrity(Row row) {
        StringBuilder sb = new StringBuilder();
        for (Results.Measurement m : new Results.Measurement[] {row.lat, row.thr}) {
            if (m == null || m.integrity() == null) continue;
            Results.Integrity i = m.integrity();
            if (sb.length() > 0) sb.append(", ");
            sb.append(i.sent()).append('/').append(i.lost()).append('/').append(i.reordered()).append('/').append(i.corrupt())
                    .append(ResultWriters.duplicates(i));
        }
        return sb.length() == 0 ? "–" : sb.toString();
    }

    // ------------------------------------------------------------------ html

    /** The page's head and style: no script, no external resource (the page is opened offline). */
    static String pageHead(String title) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>" + SvgChart.esc(title) + "</title>\n<style>\n"
                + "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}"
                + "table{border-collapse:collapse;margin:1em 0;font-size:14px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
                + "td:first-child,th:first-child{text-align:left}.chart{margin:1em 0;background:#fff}"
                + CHART_STYLE
                + "tr.slower td{background:#fde0e0}tr.faster td{background:#e0f5e0}"
                + ".warn{color:#b00;font-weight:600}code{background:#f4f4f4;padding:1px 4px}\n</style></head><body>\n";
    }

    public static String html(Results.Report r) {
        StringBuilder sb = new StringBuilder(pageHead("ipclab results " + r.startedAt()));
        sb.append("<h1>ipclab results</h1>\n");
        if (r.partial()) sb.append("<p class=\"warn\">PARTIAL: the run was interrupted; only what is shown was measured.</p>\n");
        sb.append("<p>ipclab ").append(SvgChart.esc(r.version())).append(", started ").append(SvgChart.esc(r.startedAt()))
                .append(". Latency is the round-trip time (RTT) between two processes; throughput a one-way stream verified by the receiver.</p>\n");

        Map<String, String> charts = charts(r);
        String section = "";
        charts.remove("shared-memory-routes"); // in its own section below, beside its table
        charts.keySet().removeIf(k -> k.startsWith("scaling-")); // in the scaling section, beside its tables
        for (Map.Entry<String, String> chart : charts.entrySet()) {
            String heading = chart.getKey().startsWith("latency-") ? "Latency distribution"
                    : chart.getKey().startsWith("percentiles-") ? "Latency distribution per mechanism"
                    : chart.getKey().equals("java-vs-c") ? "Java vs C" : "Size sweep";
            if (!heading.equals(section)) sb.append("<h2>").append(heading).append("</h2>\n");
            section = heading;
            sb.append(chart.getValue());
        }

        sb.append(RoutesSection.html(r));
        sb.append(ScalingSection.html(r)); // ipc bench --pairs and --clients: the scaling curves; nothing otherwise
        sb.append("<h2>Table</h2>\n").append(markdownToHtmlTable(r));
        if (!r.notes().isEmpty()) {
            sb.append("<h2>Notes</h2><ul>");
            r.notes().forEach(n -> sb.append("<li>").append(SvgChart.esc(n)).append("</li>"));
            sb.append("</ul>\n");
        }
        sb.append("<h2>Environment</h2>\n<table>");
        for (Map.Entry<String, String> e : r.environment().entrySet()) {
            sb.append("<tr><th>").append(SvgChart.esc(e.getKey())).append("</th><td style=\"text-align:left\"><code>")
                    .append(SvgChart.esc(e.getValue())).append("</code></td></tr>");
        }
        sb.append("</table>\n<h2>Configuration</h2><p><code>").append(SvgChart.esc(String.valueOf(r.config()))).append("</code></p>\n");
        sb.append("</body></html>\n");
        return sb.toString();
    }

    /** The CSS the charts need, also embedded in each standalone SVG. */
    static final String CHART_STYLE = ".grid{stroke:#e5e5e5}.tick{font-size:11px;fill:#555;font-family:sans-serif}"
            + ".axis{font-size:12px;fill:#333;font-family:sans-serif}.title{font-size:14px;font-weight:600;font-family:sans-serif}"
            + ".legend{font-size:12px;font-family:sans-serif}.series{fill:none;stroke-width:2}";

    /**
     * Every chart of the report, by file-friendly name ({@code latency-64}, {@code rtt-vs-size},
     * {@code throughput-vs-size}, {@code java-vs-c}, {@code scaling-pairs-throughput}, ...), as inline SVG.
     */
    public static Map<String, String> charts(Results.Report r) {
        Map<String, String> charts = new java.util.LinkedHashMap<>();
        for (int size : r.measurements().stream().filter(m -> m.mode().equals("latency") && m.summary() != null
                && m.summary().percentiles() != null).map(Results.Measurement::sizeBytes).distinct().sorted().toList()) {
            SvgChart c = new SvgChart("RTT percentiles at " + Units.formatSize(size) + " (log scale)", "percentile", "RTT (µs)")
                    .xTickLabels(SvgChart::percentileLabel);
            for (Results.Measurement m : r.measurements()) {
                if (!m.mode().equals("latency") || m.sizeBytes() != size || m.summary() == null || m.summary().percentiles() == null) continue;
                for (Results.Point p : m.summary().percentiles()) {
                    if (p.percentile() < 100) c.point(series(m), 1 / (1 - p.percentile() / 100), p.us());
                }
            }
            if (!c.isEmpty()) charts.put("latency-" + size, c.render());
        }
        for (var e : percentileSeries(r).entrySet()) charts.put("percentiles-" + e.getKey(), percentileChart(e.getKey(), e.getValue()));
        SvgChart rtt = new SvgChart("RTT p50 vs message size", "message size (bytes)", "RTT p50 (µs)");
        SvgChart tput = new SvgChart("Throughput vs message size", "message size (bytes)", "MB/s");
        for (Results.Measurement m : r.measurements()) {
            if (m.summary() == null) continue;
            if (m.mode().equals("latency")) rtt.point(series(m), m.sizeBytes(), m.summary().latency().p50Us());
            else if (m.summary().mbPerSec() != null) tput.point(series(m), m.sizeBytes(), m.summary().mbPerSec());
        }
        if (!rtt.isEmpty()) charts.put("rtt-vs-size", rtt.render());
        if (!tput.isEmpty()) charts.put("throughput-vs-size", tput.render());
        String bars = javaVersusC(r);
        if (!bars.isEmpty()) charts.put("java-vs-c", bars);
        RoutesSection.svg(r).ifPresent(c -> charts.put("shared-memory-routes", c));
        charts.putAll(ScalingSection.charts(r));
        return charts;
    }

    /** One line of a percentile chart: its legend and (percentile, µs) points. */
    record Series(String name, List<Results.Point> points) {
    }

    /**
     * Per mechanism, one series per size and placement (closed and open loop apart): a run pinned
     * with --pin and an unpinned one, compared, show both placements on the same chart.
     */
    static Map<String, List<Series>> percentileSeries(Results.Report r) {
        String pinning = r.environment().getOrDefault("pinning", "");
        String placement = pinning.isEmpty() || pinning.startsWith("none") ? "unpinned" : "pinned: " + pinning.replaceAll(" \\(taskset\\).*", "");
        Map<String, List<Series>> out = new java.util.TreeMap<>();
        for (Results.Measurement m : r.measurements()) {
            if (!m.mode().equals("latency") || m.summary() == null || m.summary().percentiles() == null) continue;
            String name = Units.formatSize(m.sizeBytes()) + (m.summary().openLoop() ? " open loop" : "") + ", "
                    + (m.placement() != null ? m.placement() : placement);
            out.computeIfAbsent(m.mechanism(), k -> new java.util.ArrayList<>()).add(new Series(name, m.summary().percentiles()));
        }
        return out;
    }

    static String percentileChart(String mechanism, List<Series> series) {
        SvgChart c = new SvgChart(mechanism + ": RTT percentiles (log scale)", "percentile", "RTT (µs)").xTickLabels(SvgChart::percentileLabel);
        for (Series s : series) {
            for (Results.Point p : s.points()) {
                if (p.percentile() < 100) c.point(s.name(), 1 / (1 - p.percentile() / 100), p.us());
            }
        }
        return c.isEmpty() ? "" : c.render();
    }

    /** A chart as a file of its own: the SVG with its style inside. */
    public static String standalone(String svg) {
        int end = svg.indexOf('>') + 1;
        return svg.substring(0, end) + "\n<style>" + CHART_STYLE + "</style><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n" + svg.substring(end);
    }

    /** Grouped horizontal bars: RTT p50 of Java and of the C program, per mechanism and size. */
    private static String javaVersusC(Results.Report r) {
        List<Results.Measurement> rows = r.measurements().stream()
                .filter(m -> m.mode().equals("latency") && m.summary() != null && m.baseline() != null && m.baseline().p50Us() != null)
                .toList();
        if (rows.isEmpty()) return "";
        double max = rows.stream().mapToDouble(m -> Math.max(m.summary().latency().p50Us(), m.baseline().p50Us())).max().orElse(1);
        int left = 190, width = 460, bar = 12, rowH = 2 * bar + 12, top = 30;
        int height = top + rows.size() * rowH + 20;
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 760 %d\" width=\"760\" height=\"%d\" role=\"img\" aria-label=\"Java vs C\">%n", height, height));
        sb.append("<text x=\"10\" y=\"18\" class=\"title\">RTT p50 in µs: Java (blue) and the native C program (grey), same mechanism and size</text>\n");
        int y = top;
        for (Results.Measurement m : rows) {
            double j = m.summary().latency().p50Us();
            double c = m.baseline().p50Us();
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"tick\" text-anchor=\"end\">%s %s</text>%n",
                    left - 8, y + bar + 4, SvgChart.esc(series(m)), Units.formatSize(m.sizeBytes())));
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#1f77b4\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" class=\"tick\">%.2f (×%.2f)</text>%n",
                    left, y, width * j / max, bar, left + width * j / max + 4, y + bar - 2, j, j / c));
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#999\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" class=\"tick\">%.2f</text>%n",
                    left, y + bar, width * c / max, bar, left + width * c / max + 4, y + 2 * bar - 2, c));
            y += rowH;
        }
        return sb.append("</svg>\n").toString();
    }

    /** The kernel's counters per message, "Java | C" (runner+peer each), from the row's counters. */
    private static String kernel(Results.Measurement m, String counter) {
        if (m == null) return "–";
        String java = org.ipclab.bench.counters.CounterText.pair(m.counters(), counter);
        return m.baseline() == null ? java : java + " | " + org.ipclab.bench.counters.CounterText.pair(m.baseline().counters(), counter);
    }

        private static String markdownToHtmlTable(Results.Report r) {
        StringBuilder sb = new StringBuilder("<table><tr>");
        for (String h : new String[] {"mechanism", "size", "RTT p50 µs", "p99 µs", "p99.9 µs", "C p50 µs", "Java/C p50", "msgs/s", "MB/s",
                "C msgs/s", "Java/C rate", "cpu µs/msg",
                "sys/msg runner+peer (Java | C)", "ctx/msg runner+peer (Java | C)", "sent/lost/reord/corrupt"}) {
            sb.append("<th>").append(SvgChart.esc(h)).append("</th>");
        }
        sb.append("</tr>\n");
        for (Row row : rows(r)) {
            Results.Baseline lc = row.lat == null ? null : row.lat.baseline();
            Results.Baseline tc = row.thr == null ? null : row.thr.baseline();
            sb.append("<tr><td>").append(SvgChart.esc(row.label())).append("</td><td>").append(Units.formatSize(row.size)).append("</td><td>")
                    .append(f2(row.lat == null ? null : row.lat.summary().latency().p50Us())).append("</td><td>")
                    .append(f2(row.lat == null ? null : row.lat.summary().latency().p99Us())).append("</td><td>")
                    .append(f2(row.lat == null ? null : row.lat.summary().latency().p999Us())).append("</td><td>")
                    .append(f2(lc == null ? null : lc.p50Us())).append("</td><td>")
                    .append(f2(lc == null ? null : lc.p50Ratio())).append("</td><td>")
                    .append(row.thr == null ? "–" : String.format(Locale.ROOT, "%,.0f", row.thr.summary().msgsPerSec())).append("</td><td>")
                    .append(row.thr == null ? "–" : String.format(Locale.ROOT, "%.1f", row.thr.summary().mbPerSec())).append("</td><td>")
                    .append(tc == null || tc.msgsPerSec() == null ? "–" : String.format(Locale.ROOT, "%,.0f", tc.msgsPerSec())).append("</td><td>")
                    .append(f2(tc == null ? null : tc.rateRatio())).append("</td><td>")
                    .append(cpu(row.lat != null ? row.lat : row.thr)).append("</td><td>")
                    .append(SvgChart.esc(kernel(row.lat != null ? row.lat : row.thr, "syscalls"))).append("</td><td>")
                    .append(SvgChart.esc(kernel(row.lat != null ? row.lat : row.thr, "ctx"))).append("</td><td>")
                    .append(integrity(row)).append("</td></tr>\n");
        }
        return sb.append("</table>\n").toString();
    }
}
