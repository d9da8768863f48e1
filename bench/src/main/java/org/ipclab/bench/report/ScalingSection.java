package org.ipclab.bench.report;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.ipclab.bench.Results;
import org.ipclab.bench.scale.PairsFigures;
import org.ipclab.core.Units;

/**
 * The "scaling" section: per mechanism, mode, size and placement, aggregate rate and p99 against
 * N, Java beside C, for {@code ipc bench --pairs} (N independent pairs) and {@code --clients} (N
 * clients into one server end); and where each curve stops rising, with the kernel's counters
 * that say why (context switches and run-queue wait per message, the latter from
 * /proc/PID/task/TID/schedstat). Nothing here when the results hold neither kind of row.
 */
public final class ScalingSection {
    /** A step to the next N that adds less than this to the aggregate rate is the knee. */
    static final double GAIN = 1.15;

    /** The knee's threshold as the captions state it. */
    static final String THRESHOLD = String.format(Locale.ROOT, "%.0f%%", (GAIN - 1) * 100);

    private ScalingSection() {
    }

    /** What N counts: independent pairs, or clients sharing one server end. */
    enum Shape {
        PAIRS("pairs", "pair", "pairs"), CLIENTS("fan-in", "client", "clients");

        final String label;
        final String one;
        final String many;

        Shape(String label, String one, String many) {
            this.label = label;
            this.one = one;
            this.many = many;
        }

        String count(int n) {
            return n + " " + (n == 1 ? one : many);
        }
    }

    /** One point of a curve: N, the aggregate rate and p99 of Java and C, the counters per message, the failed pairs or clients. */
    record Point(int n, Double rate, Double p99Us, Double cRate, Double cP99Us, Double ctxPerMsg, Double waitUsPerMsg,
                 Double cCtxPerMsg, Double cWaitUsPerMsg, int failed) {
    }

    /** One curve: a shape, mechanism, mode, size and placement (null for a run with one), N ascending. */
    record Curve(Shape shape, String mechanism, String mode, int sizeBytes, String placement, List<Point> points) {
        String key() {
            return mechanism + " " + mode + " " + Units.formatSize(sizeBytes) + (placement == null ? "" : " " + placement);
        }

        boolean hasC() {
            return points.stream().anyMatch(p -> p.cRate() != null);
        }
    }

    /** Every curve of the report, pairs first, then fan-in, each in the order its rows were measured. */
    static List<Curve> curves(Results.Report r) {
        Map<List<Object>, Curve> curves = new LinkedHashMap<>();
        for (Shape shape : Shape.values()) {
            for (Results.Measurement m : r.measurements()) {
                Point p = shape == Shape.PAIRS ? pairsPoint(m) : fanInPoint(m);
                if (p == null) continue;
                curves.computeIfAbsent(List.of(shape, m.mechanism(), m.mode(), m.sizeBytes(), m.placement() == null ? "" : m.placement()),
                        k -> new Curve(shape, m.mechanism(), m.mode(), m.sizeBytes(), m.placement(), new ArrayList<>())).points().add(p);
            }
        }
        curves.values().forEach(c -> c.points().sort(Comparator.comparingInt(Point::n)));
        return List.copyOf(curves.values());
    }

    private static Point pairsPoint(Results.Measurement m) {
        PairsFigures p = m.pairs();
        if (p == null || m.summary() == null) return null;
        boolean lat = m.mode().equals("latency");
        Results.Baseline c = m.baseline();
        Double cRate = c == null || c.error() != null ? null : lat ? sum(p.nativePairs()) : c.msgsPerSec();
        return point(m, p.pairs(), lat ? sum(p.perPair()) : m.summary().msgsPerSec(), cRate, p.failed());
    }

    /** A fan-in row's rate is its one window's (the clients' messages summed over it), as the fan-in table prints it. */
    private static Point fanInPoint(Results.Measurement m) {
        Results.FanIn f = m.fanIn();
        if (f == null || m.summary() == null) return null;
        Double rate = m.repeats() == null || m.repeats().isEmpty() ? null : m.repeats().get(0).msgsPerSec();
        Results.Baseline c = m.baseline();
        return point(m, f.clients(), rate, c == null || c.error() != null ? null : c.msgsPerSec(), f.clients() - f.finished());
    }

    private static Point point(Results.Measurement m, int n, Double rate, Double cRate, int failed) {
        boolean lat = m.mode().equals("latency");
        Results.Baseline c = m.baseline();
        Results.Counters cc = c == null ? null : c.counters();
        return new Point(n, rate, lat && m.summary().latency() != null ? m.summary().latency().p99Us() : null, cRate,
                c == null || c.error() != null ? null : c.p99Us(),
                perMessage(m.counters(), "ctx_voluntary", "ctx_involuntary"), us(perMessage(m.counters(), "wait_ns")),
                perMessage(cc, "ctx_voluntary", "ctx_involuntary"), us(perMessage(cc, "wait_ns")), failed);
    }

    private static Double sum(List<PairsFigures.Pair> pairs) {
        if (pairs == null || pairs.isEmpty()) return null;
        double s = 0;
        for (PairsFigures.Pair p : pairs) if ("ok".equals(p.status()) && p.msgsPerSec() != null) s += p.msgsPerSec();
        return s;
    }

    private static Double us(Double ns) {
        return ns == null ? null : ns / 1e3;
    }

    /** The sum over the work threads of every process of these counters, per message; null when one is missing. */
    static Double perMessage(Results.Counters c, String... keys) {
        if (c == null) return null;
        double total = 0;
        boolean any = false;
        for (Results.CounterGroup g : c.groups()) {
            if (!g.threads().equals("work")) continue;
            for (String k : keys) {
                Results.Figure f = g.figures().get(k);
                if (f == null || f.perMessage() == null) return null;
                total += f.perMessage();
                any = true;
            }
        }
        return any ? total : null;
    }

    /**
     * Where a curve stops scaling: {@code knee} is the first N whose aggregate rate grows less than
     * {@link #THRESHOLD} over the previous N (null: still rising, or not measured); {@code step} says
     * it in words and {@code counters} the counters across that step (or the last one when still rising).
     */
    record Knee(Integer knee, String step, String counters) {
    }

    static Knee knee(Curve curve, boolean c) {
        List<Point> pts = curve.points();
        if (pts.size() < 2) return new Knee(null, "one N: no curve", "–");
        for (int i = 1; i < pts.size(); i++) {
            Point a = pts.get(i - 1), b = pts.get(i);
            Double ra = c ? a.cRate() : a.rate(), rb = c ? b.cRate() : b.rate();
            if (ra == null || rb == null || ra <= 0) return new Knee(null, "not measured at " + curve.shape().count((ra == null ? a : b).n()), "–");
            if (rb < ra * GAIN) {
                return new Knee(b.n(), String.format(Locale.ROOT, "knee at %s: rate ×%.2f over %d", curve.shape().count(b.n()), rb / ra, a.n()),
                        why(a, b, c));
            }
        }
        Point last = pts.get(pts.size() - 1);
        return new Knee(null, "still rising at " + curve.shape().count(last.n()), why(pts.get(pts.size() - 2), last, c));
    }

    /** The counters across a step, in words: the runnable wait and the switches per message, before → after. */
    private static String why(Point a, Point b, boolean c) {
        Double ctxA = c ? a.cCtxPerMsg() : a.ctxPerMsg(), ctxB = c ? b.cCtxPerMsg() : b.ctxPerMsg();
        Double waitA = c ? a.cWaitUsPerMsg() : a.waitUsPerMsg(), waitB = c ? b.cWaitUsPerMsg() : b.waitUsPerMsg();
        List<String> parts = new ArrayList<>();
        if (waitA != null && waitB != null) parts.add(String.format(Locale.ROOT, "run-queue wait %.2f → %.2f µs/msg", waitA, waitB));
        if (ctxA != null && ctxB != null) parts.add(String.format(Locale.ROOT, "context switches %.2f → %.2f /msg", ctxA, ctxB));
        if (!parts.isEmpty()) return String.join(", ", parts);
        return "no counters in these rows";
    }

    /** The caption of the "where it stops scaling" table. */
    static String kneeCaption() {
        return "Where it stops scaling: the knee is the first N whose aggregate rate grows less than " + THRESHOLD
                + " over the previous N (doubling N ideally doubles it); the counters are per message over all processes"
                + " (runner and peers, or server and clients), at the N before → the knee: run-queue wait = time runnable but"
                + " waiting for a CPU (/proc/PID/task/TID/schedstat), context switches voluntary + involuntary.";
    }

    /** The "where it stops scaling" table in Markdown; "" without curves. */
    public static String markdown(Results.Report r) {
        List<Curve> curves = curves(r);
        if (curves.isEmpty()) return "";
        StringBuilder sb = new StringBuilder("\n").append(kneeCaption()).append("\n\n");
        sb.append("| shape | mechanism | mode | size | placement | Java | Java counters | C | C counters |\n");
        sb.append("|---|---|---|---:|---|---|---|---|---|\n");
        for (Curve c : curves) {
            Knee j = knee(c, false);
            Knee n = c.hasC() ? knee(c, true) : new Knee(null, "–", "–");
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", c.shape().label, c.mechanism(), c.mode(),
                    Units.formatSize(c.sizeBytes()), c.placement() == null ? "–" : c.placement(), j.step(), j.counters(), n.step(), n.counters()));
        }
        return sb.toString();
    }

    /** The section as text, after the table; nothing without curves. */
    public static void text(Results.Report r, PrintStream out) {
        List<Curve> curves = curves(r);
        if (curves.isEmpty()) return;
        out.println();
        out.println("Scaling: rate = aggregate (round trips/s in latency mode, msgs/s in throughput mode), p99 from the merged histograms;"
                + " ctx = context switches/msg, runq = µs/msg runnable but waiting for a CPU (schedstat), all processes; knee: the first N"
                + " whose rate grows < " + THRESHOLD + " over the previous N");
        out.printf("%-7s %-34s %5s %12s %12s %9s %9s %7s %7s %7s %7s %s%n", "shape", "curve", "N", "rate", "C rate", "p99 µs", "C p99", "ctx", "runq",
                "C ctx", "C runq", "failed");
        for (Curve c : curves) {
            for (Point p : c.points()) {
                out.printf(Locale.ROOT, "%-7s %-34s %5d %12s %12s %9s %9s %7s %7s %7s %7s %s%n", c.shape().label, c.key(), p.n(), rate(p.rate()),
                        rate(p.cRate()), f(p.p99Us()), f(p.cP99Us()), f(p.ctxPerMsg()), f(p.waitUsPerMsg()), f(p.cCtxPerMsg()),
                        f(p.cWaitUsPerMsg()), p.failed() == 0 ? "" : p.failed() + " " + c.shape().many);
            }
            Knee j = knee(c, false);
            out.println("  Java: " + j.step() + "; " + j.counters());
            if (c.hasC()) {
                Knee n = knee(c, true);
                out.println("  C:    " + n.step() + "; " + n.counters());
            }
        }
        r.measurements().stream().filter(m -> m.pairs() != null).findFirst().ifPresent(m -> {
            out.println("  placement: " + m.pairs().placement());
            if (m.pairs().background() != null) out.println("  background: " + m.pairs().background().spec() + " — " + m.pairs().background().description());
        });
        for (Results.Measurement m : r.measurements()) {
            PairsFigures.Load b = m.pairs() == null ? null : m.pairs().background();
            if (b == null) continue;
            out.printf(Locale.ROOT, "  background during %s %s %s ×%d: %s CPUs%s%s%n", m.mechanism(), m.mode(), Units.formatSize(m.sizeBytes()),
                    m.pairs().pairs(), f(b.cpus()), b.msgsPerSec() == null ? "" : String.format(Locale.ROOT, ", %,.0f msgs/s", b.msgsPerSec()),
                    b.error() == null ? "" : " (" + b.error() + ")");
        }
    }

    /**
     * The curves as charts, by file-friendly name: per shape ({@code pairs}, {@code clients}) the
     * aggregate rate per mode and the p99 vs N, a line each for Java and C per curve.
     */
    static Map<String, String> charts(Results.Report r) {
        Map<String, String> charts = new LinkedHashMap<>();
        List<Curve> curves = curves(r);
        for (Shape shape : Shape.values()) {
            String axis = shape.many + " (N)";
            SvgChart tput = new SvgChart("Aggregate msgs/s vs " + shape.many + " (throughput)", axis, "msgs/s");
            SvgChart rtt = new SvgChart("Aggregate round trips/s vs " + shape.many + " (latency)", axis, "round trips/s");
            SvgChart p99 = new SvgChart("RTT p99 vs " + shape.many, axis, "p99 (µs)");
            for (Curve c : curves) {
                if (c.shape() != shape) continue;
                SvgChart rate = c.mode().equals("latency") ? rtt : tput;
                for (Point p : c.points()) {
                    if (p.rate() != null) rate.point(c.key() + " Java", p.n(), p.rate());
                    if (p.cRate() != null) rate.point(c.key() + " C", p.n(), p.cRate());
                    if (p.p99Us() != null) p99.point(c.key() + " Java", p.n(), p.p99Us());
                    if (p.cP99Us() != null) p99.point(c.key() + " C", p.n(), p.cP99Us());
                }
            }
            String name = "scaling-" + shape.many;
            if (!tput.isEmpty()) charts.put(name + "-throughput", tput.render());
            if (!rtt.isEmpty()) charts.put(name + "-latency", rtt.render());
            if (!p99.isEmpty()) charts.put(name + "-p99", p99.render());
        }
        return charts;
    }

    /** The section as HTML: per shape a table of the points and its charts, then where each curve stops scaling; "" without curves. */
    public static String html(Results.Report r) {
        List<Curve> curves = curves(r);
        if (curves.isEmpty()) return "";
        Map<String, String> charts = charts(r);
        StringBuilder sb = new StringBuilder("<h2>Scaling</h2>\n");
        for (Shape shape : Shape.values()) {
            List<Curve> mine = curves.stream().filter(c -> c.shape() == shape).toList();
            if (mine.isEmpty()) continue;
            sb.append(shape == Shape.PAIRS
                    ? "<h3>N pairs</h3>\n<p>N independent pairs at once on one mechanism, each with its own kernel objects."
                    : "<h3>N clients into one server (fan-in)</h3>\n<p>N client processes against one server end, over one shared window.");
            sb.append(" Rates are aggregates; p99 comes from the histograms merged exactly. ctx: context switches per message,"
                    + " wait: µs per message spent runnable but waiting for a CPU (schedstat), all processes.</p>\n");
            sb.append("<table><tr><th>curve</th><th>N ").append(shape.many).append("</th><th>rate</th><th>C rate</th><th>p99 µs</th><th>C p99 µs</th>"
                    + "<th>ctx/msg</th><th>run-queue µs/msg</th><th>C ctx/msg</th><th>C run-queue µs/msg</th><th>failed ").append(shape.many)
                    .append("</th></tr>\n");
            for (Curve c : mine) {
                for (Point p : c.points()) {
                    sb.append("<tr><td>").append(SvgChart.esc(c.key())).append("</td><td>").append(p.n()).append("</td><td>")
                            .append(rate(p.rate())).append("</td><td>").append(rate(p.cRate())).append("</td><td>").append(f(p.p99Us()))
                            .append("</td><td>").append(f(p.cP99Us())).append("</td><td>").append(f(p.ctxPerMsg())).append("</td><td>")
                            .append(f(p.waitUsPerMsg())).append("</td><td>").append(f(p.cCtxPerMsg())).append("</td><td>")
                            .append(f(p.cWaitUsPerMsg())).append("</td><td>").append(p.failed()).append("</td></tr>\n");
                }
            }
            sb.append("</table>\n");
            charts.forEach((name, svg) -> {
                if (name.startsWith("scaling-" + shape.many + "-")) sb.append(svg);
            });
        }
        sb.append("<h3>Where it stops scaling</h3>\n<p>").append(SvgChart.esc(kneeCaption())).append("</p>\n");
        sb.append("<table><tr><th>shape</th><th>curve</th><th>Java</th><th>Java counters</th><th>C</th><th>C counters</th></tr>\n");
        for (Curve c : curves) {
            Knee j = knee(c, false);
            Knee n = c.hasC() ? knee(c, true) : new Knee(null, "–", "–");
            sb.append("<tr><td>").append(c.shape().label).append("</td><td>").append(SvgChart.esc(c.key()));
            for (String cell : new String[] {j.step(), j.counters(), n.step(), n.counters()}) {
                sb.append("</td><td style=\"text-align:left\">").append(SvgChart.esc(cell));
            }
            sb.append("</td></tr>\n");
        }
        sb.append("</table>\n");
        r.measurements().stream().filter(m -> m.pairs() != null).findFirst().ifPresent(m -> sb.append("<p>Pairs placement: ")
                .append(SvgChart.esc(m.pairs().placement())).append(". Background: ")
                .append(SvgChart.esc(m.pairs().background() == null ? "none" : m.pairs().background().spec() + " — " + m.pairs().background().description()))
                .append(".</p>\n"));
        return sb.toString();
    }

    private static String rate(Double v) {
        return v == null ? "–" : String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String f(Double v) {
        return v == null ? "–" : String.format(Locale.ROOT, "%.2f", v);
    }
}
