package org.ipclab.bench.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import org.ipclab.bench.Results;
import org.ipclab.core.Units;

/**
 * Runs side by side: every measurement of each later run against the same mechanism, mode and size
 * of the first run. The verdict weighs the change against the runs' own spread (min..max of their
 * repeats, in percent of the median): a change inside the larger of the two spreads is "within noise".
 */
public final class Comparison {
    /**
     * Two runs never agree better than this on a shared machine; with a single repeat (spread 0)
     * it is the only noise estimate there is.
     */
    static final double NOISE_FLOOR_PCT = 2.0;

    /** One file and what to call it in tables and legends. */
    public record Run(String label, Results.Report report) {
        public static Run of(Path file, Results.Report report) {
            return new Run(Objects.toString(file.getFileName(), file.toString()), report);
        }
    }

    /**
     * One measurement compared: {@code base} and {@code other} are p50 µs (latency) or msgs/s
     * (throughput); {@code slowerPct} is how much more time per message {@code other} takes (+100: twice;
     * -100: half).
     */
    public record Row(String mechanism, String mode, int size, String run, Results.Measurement baseM, Results.Measurement otherM,
                      double base, double other, double ratio, double slowerPct, double noisePct, String verdict) {
        boolean latency() {
            return mode.equals("latency");
        }
    }

    private final List<Run> runs;
    private final List<Row> rows = new ArrayList<>();
    private final List<String> unmatched = new ArrayList<>();

    public Comparison(List<Run> runs) {
        if (runs.size() < 2) throw new IllegalArgumentException("a comparison needs two runs");
        this.runs = List.copyOf(runs);
        Run first = runs.get(0);
        for (Run run : runs.subList(1, runs.size())) {
            for (Results.Measurement b : first.report().measurements()) {
                if (b.summary() == null) continue;
                Results.Measurement o = run.report().measurements().stream()
                        .filter(m -> m.summary() != null && m.mechanism().equals(b.mechanism()) && m.mode().equals(b.mode())
                                && m.sizeBytes() == b.sizeBytes() && m.summary().openLoop() == b.summary().openLoop()
                                // never a same-CPU figure against a cross-CPU one
                                && java.util.Objects.equals(m.placement(), b.placement()))
                        .findFirst().orElse(null);
                if (o == null) {
                    unmatched.add(label(b) + " " + b.mode() + " " + Units.formatSize(b.sizeBytes()) + " is not in " + run.label());
                    continue;
                }
                Row row = compare(run.label(), b, o);
                if (row != null) rows.add(row);
            }
        }
    }

    private static Row compare(String run, Results.Measurement b, Results.Measurement o) {
        boolean latency = b.mode().equals("latency");
        double base, other, spreadB, spreadO;
        if (latency) {
            if (b.summary().latency() == null || o.summary().latency() == null) return null;
            base = b.summary().latency().p50Us();
            other = o.summary().latency().p50Us();
            spreadB = b.summary().p50Us() == null ? 0 : b.summary().p50Us().percent();
            spreadO = o.summary().p50Us() == null ? 0 : o.summary().p50Us().percent();
        } else {
            if (b.summary().msgsPerSec() == null || o.summary().msgsPerSec() == null) return null;
            base = b.summary().msgsPerSec();
            other = o.summary().msgsPerSec();
            spreadB = b.summary().msgsPerSecSpread() == null ? 0 : b.summary().msgsPerSecSpread().percent();
            spreadO = o.summary().msgsPerSecSpread() == null ? 0 : o.summary().msgsPerSecSpread().percent();
        }
        double ratio = base > 0 ? other / base : Double.NaN;
        // As time per message (latency: higher is slower; throughput: lower is), the same percentage
        // either way: twice the time is +100%, half the time -100%.
        double time = latency ? other / base : base / other;
        double slower = time >= 1 ? 100 * (time - 1) : -100 * (1 / time - 1);
        double noise = Math.max(NOISE_FLOOR_PCT, Math.max(spreadB, spreadO));
        String verdict = Math.abs(slower) <= noise ? "within noise" : slower > 0 ? "slower" : "faster";
        return new Row(label(b), b.mode(), b.sizeBytes(), run, b, o, base, other, ratio, slower, noise, verdict);
    }

    /** The mechanism, and the placement of a run over several ("pipe same-cpu 0,0"). */
    private static String label(Results.Measurement m) {
        return m.placement() == null ? m.mechanism() : m.mechanism() + " " + m.placement();
    }

    public List<Row> rows() {
        return rows;
    }

    public List<String> unmatched() {
        return unmatched;
    }

    public List<Run> runs() {
        return runs;
    }

    /** Rows slower than {@code pct} percent beyond the noise (for {@code --fail-if-slower}). */
    public List<Row> slowerThan(double pct) {
        return rows.stream().filter(r -> r.verdict().equals("slower") && r.slowerPct() > pct).toList();
    }

    static String describe(Row r) {
        return r.mechanism() + " " + r.mode() + " " + Units.formatSize(r.size()) + " in " + r.run()
                + String.format(Locale.ROOT, " %+.1f%%", r.slowerPct());
    }

    public static String describeAll(List<Row> rows) {
        return String.join("; ", rows.stream().map(Comparison::describe).toList());
    }

    // ------------------------------------------------------------------ renderings

    private static final String[] HEADER = {"mechanism", "mode", "size", "run", "p50 µs base → run", "p99 µs base → run",
            "msgs/s base → run", "ratio", "slower by", "noise ±", "verdict"};

    private List<String[]> cells() {
        List<String[]> out = new ArrayList<>();
        for (Row r : rows) {
            Results.Latency lb = r.baseM().summary().latency();
            Results.Latency lo = r.otherM().summary().latency();
            out.add(new String[] {r.mechanism(), r.mode(), Units.formatSize(r.size()), r.run(),
                    r.latency() ? f2(lb.p50Us()) + " → " + f2(lo.p50Us()) : "–",
                    r.latency() ? f2(lb.p99Us()) + " → " + f2(lo.p99Us()) : "–",
                    r.latency() ? "–" : String.format(Locale.ROOT, "%,.0f → %,.0f", r.base(), r.other()),
                    String.format(Locale.ROOT, "%.3f", r.ratio()),
                    String.format(Locale.ROOT, "%+.1f%%", r.slowerPct()),
                    String.format(Locale.ROOT, "%.1f%%", r.noisePct()), r.verdict()});
        }
        return out;
    }

    private static String f2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private String legend() {
        StringBuilder sb = new StringBuilder("base = " + runs.get(0).label() + " (ipclab " + runs.get(0).report().version()
                + ", " + runs.get(0).report().startedAt() + ")");
        for (Run r : runs.subList(1, runs.size())) {
            sb.append("; ").append(r.label()).append(" (ipclab ").append(r.report().version()).append(", ").append(r.report().startedAt()).append(')');
        }
        return sb.toString();
    }

    private static final String EXPLAIN = "ratio = run/base (p50 for latency, msgs/s for throughput); \"slower by\" is the change in time"
            + " per message (+100% = twice, -100% = half); noise = the larger repeat spread of the two runs (at least " + NOISE_FLOOR_PCT + "%).";

    public String table() {
        List<String[]> cells = cells();
        int[] w = new int[HEADER.length];
        for (int i = 0; i < w.length; i++) w[i] = HEADER[i].length();
        for (String[] c : cells) for (int i = 0; i < w.length; i++) w[i] = Math.max(w[i], c[i].length());
        StringBuilder sb = new StringBuilder(legend()).append('\n').append(EXPLAIN).append("\n\n");
        appendRow(sb, HEADER, w);
        for (String[] c : cells) appendRow(sb, c, w);
        unmatched.forEach(u -> sb.append("note: ").append(u).append('\n'));
        return sb.toString();
    }

    private static void appendRow(StringBuilder sb, String[] c, int[] w) {
        for (int i = 0; i < c.length; i++) {
            String cell = c[i];
            boolean left = i < 4 || i == c.length - 1;
            sb.append(left ? String.format("%-" + w[i] + "s", cell) : String.format("%" + w[i] + "s", cell));
            sb.append(i == c.length - 1 ? "\n" : "  ");
        }
    }

    public String markdown() {
        StringBuilder sb = new StringBuilder(legend()).append(".\n\n").append(EXPLAIN).append("\n\n|");
        for (String h : HEADER) sb.append(' ').append(h).append(" |");
        sb.append("\n|---|---|---:|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (String[] c : cells()) {
            sb.append('|');
            for (String cell : c) sb.append(' ').append(cell).append(" |");
            sb.append('\n');
        }
        unmatched.forEach(u -> sb.append("\nnote: ").append(u).append('\n'));
        return sb.toString();
    }

    /** One offline page: the comparison table, then each mechanism's percentile distributions of all runs. */
    public String html() {
        StringBuilder sb = new StringBuilder(Reports.pageHead("ipclab comparison"));
        sb.append("<h1>ipclab: ").append(runs.size()).append(" runs compared</h1>\n<p>").append(SvgChart.esc(legend()))
                .append(".</p>\n<p>").append(SvgChart.esc(EXPLAIN)).append("</p>\n<table><tr>");
        for (String h : HEADER) sb.append("<th>").append(SvgChart.esc(h)).append("</th>");
        sb.append("</tr>\n");
        for (String[] c : cells()) {
            String verdict = c[c.length - 1];
            sb.append("<tr class=\"").append(verdict.replace(' ', '-')).append("\">");
            for (String cell : c) sb.append("<td>").append(SvgChart.esc(cell)).append("</td>");
            sb.append("</tr>\n");
        }
        sb.append("</table>\n");
        if (!unmatched.isEmpty()) {
            sb.append("<ul>");
            unmatched.forEach(u -> sb.append("<li>").append(SvgChart.esc(u)).append("</li>"));
            sb.append("</ul>\n");
        }
        sb.append("<h2>Latency distribution per mechanism, every run</h2>\n");
        Map<String, List<Reports.Series>> byMechanism = new LinkedHashMap<>();
        for (Run run : runs) {
            String prefix = run.label(); // the series name says the placement
            for (var e : Reports.percentileSeries(run.report()).entrySet()) {
                for (Reports.Series s : e.getValue()) {
                    byMechanism.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(new Reports.Series(prefix + " " + s.name(), s.points()));
                }
            }
        }
        byMechanism.forEach((mech, series) -> sb.append(Reports.percentileChart(mech, series)));
        sb.append("</body></html>\n");
        return sb.toString();
    }
}
