package org.ipclab.bench.report;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.ipclab.bench.Results;
import org.ipclab.bench.scale.PairsFigures;
import org.ipclab.core.Units;

/**
 * The "scaling" section of an {@code ipc bench --pairs} run: per mechanism, size and placement,
 * aggregate rate and p99 against N, Java beside C, and where the curve stops rising with the
 * kernel's counters that say why (context switches and run-queue wait per message, the latter
 * from /proc/PID/task/TID/schedstat). Nothing here when the results hold no pairs rows.
 */
public final class ScalingSection {
    /** A step that adds less than this to the aggregate rate is where scaling stops. */
    static final double GAIN = 1.15;

    private ScalingSection() {
    }

    /** One point of a curve: N, the aggregate rate and p99 of Java and C, and the counters per message. */
    record Point(int pairs, Double rate, Double p99Us, Double cRate, Double cP99Us, Double ctxPerMsg, Double waitUsPerMsg,
                 Double cCtxPerMsg, Double cWaitUsPerMsg, int failed) {
    }

    /** Curves keyed by "mechanism mode size [placement]", N ascending. */
    static Map<String, List<Point>> curves(Results.Report r) {
        Map<String, List<Point>> curves = new LinkedHashMap<>();
        for (Results.Measurement m : r.measurements()) {
            PairsFigures p = m.pairs();
            if (p == null || m.summary() == null) continue;
            String key = m.mechanism() + " " + m.mode() + " " + Units.formatSize(m.sizeBytes()) + (m.placement() == null ? "" : " " + m.placement());
            boolean lat = m.mode().equals("latency");
            Double rate = lat ? sum(p.perPair()) : m.summary().msgsPerSec();
            Double p99 = lat ? m.summary().latency().p99Us() : null;
            Results.Baseline c = m.baseline();
            Double cRate = c == null ? null : lat ? sum(p.nativePairs()) : c.msgsPerSec();
            if (c != null && c.error() != null) cRate = null;
            Double cP99 = c == null ? null : c.p99Us();
            curves.computeIfAbsent(key, k -> new ArrayList<>()).add(new Point(p.pairs(), rate, p99, cRate, cP99,
                    perMessage(m.counters(), "ctx_voluntary", "ctx_involuntary"), us(perMessage(m.counters(), "wait_ns")),
                    perMessage(c == null ? null : c.counters(), "ctx_voluntary", "ctx_involuntary"),
                    us(perMessage(c == null ? null : c.counters(), "wait_ns")), p.failed()));
        }
        curves.values().forEach(l -> l.sort(java.util.Comparator.comparingInt(Point::pairs)));
        return curves;
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

    /** The sum over the work threads of runner and peer of these counters, per message; null when one is missing. */
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
     * Where the aggregate rate stops rising: the last N before a step that adds less than 15%, with
     * the counter that moved most across that step; "still rising" when no step falls short.
     */
    static String knee(List<Point> curve, boolean c) {
        for (int i = 1; i < curve.size(); i++) {
            Point a = curve.get(i - 1), b = curve.get(i);
            Double ra = c ? a.cRate() : a.rate(), rb = c ? b.cRate() : b.rate();
            if (ra == null || rb == null || ra <= 0) return "not measured";
            if (rb < ra * GAIN) {
                return String.format(Locale.ROOT, "stops at %d pair%s (%d → %d: rate ×%.2f)", a.pairs(), a.pairs() == 1 ? "" : "s", a.pairs(), b.pairs(), rb / ra)
                        + why(c ? a.cCtxPerMsg() : a.ctxPerMsg(), c ? b.cCtxPerMsg() : b.ctxPerMsg(),
                        c ? a.cWaitUsPerMsg() : a.waitUsPerMsg(), c ? b.cWaitUsPerMsg() : b.waitUsPerMsg());
            }
        }
        if (curve.size() < 2) return "one N: no curve";
        return "still rising at " + curve.get(curve.size() - 1).pairs() + " pairs";
    }

    /** The counters across the step, in words: the runnable wait and the switches per message, before → after. */
    static String why(Double ctxA, Double ctxB, Double waitA, Double waitB) {
        List<String> parts = new ArrayList<>();
        if (waitA != null && waitB != null) parts.add(String.format(Locale.ROOT, "run-queue wait %.2f → %.2f µs/msg", waitA, waitB));
        if (ctxA != null && ctxB != null) parts.add(String.format(Locale.ROOT, "context switches %.2f → %.2f /msg", ctxA, ctxB));
        if (parts.isEmpty()) return "; no counters to say why";
        return "; " + String.join(", ", parts);
    }

    /** The section as text, after the table; nothing without pairs rows. */
    public static void text(Results.Report r, PrintStream out) {
        Map<String, List<Point>> curves = curves(r);
        if (curves.isEmpty()) return;
        out.println();
        out.println("Scaling: N pairs at once; rate = aggregate (round trips/s in latency mode, msgs/s in throughput mode),"
                + " p99 from the merged histograms; ctx = context switches/msg, runq = µs/msg runnable but waiting for a CPU (schedstat), runner + peer");
        out.printf("%-34s %5s %12s %12s %9s %9s %7s %7s %7s %7s %s%n", "curve", "N", "rate", "C rate", "p99 µs", "C p99", "ctx", "runq", "C ctx", "C runq", "failed");
        for (Map.Entry<String, List<Point>> e : curves.entrySet()) {
            for (Point p : e.getValue()) {
                out.printf(Locale.ROOT, "%-34s %5d %12s %12s %9s %9s %7s %7s %7s %7s %s%n", e.getKey(), p.pairs(), rate(p.rate()), rate(p.cRate()),
                        f(p.p99Us()), f(p.cP99Us()), f(p.ctxPerMsg()), f(p.waitUsPerMsg()), f(p.cCtxPerMsg()), f(p.cWaitUsPerMsg()),
                        p.failed() == 0 ? "" : p.failed() + " pair(s)");
            }
            out.println("  Java: " + knee(e.getValue(), false) + (e.getValue().get(0).cRate() != null ? "\n  C:    " + knee(e.getValue(), true) : ""));
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

    /** The section as HTML: a table and, per mechanism mode and size, rate and p99 vs N curves; "" without pairs rows. */
    public static String html(Results.Report r) {
        Map<String, List<Point>> curves = curves(r);
        if (curves.isEmpty()) return "";
        StringBuilder sb = new StringBuilder("<h2>Scaling</h2>\n<p>N independent pairs at once on one mechanism, each with its own"
                + " kernel objects. Rates are aggregates; p99 comes from the pairs' histograms merged exactly. ctx: context switches"
                + " per message, wait: µs per message spent runnable but waiting for a CPU (schedstat), runner + peer.</p>\n");
        SvgChart rate = new SvgChart("Aggregate rate vs pairs", "pairs (N)", "msgs/s (round trips/s for latency)");
        SvgChart p99 = new SvgChart("RTT p99 vs pairs", "pairs (N)", "p99 (µs)");
        sb.append("<table><tr><th>curve</th><th>N</th><th>rate</th><th>C rate</th><th>p99 µs</th><th>C p99 µs</th><th>ctx/msg</th>"
                + "<th>run-queue µs/msg</th><th>C ctx/msg</th><th>C run-queue µs/msg</th><th>failed pairs</th></tr>\n");
        for (Map.Entry<String, List<Point>> e : curves.entrySet()) {
            for (Point p : e.getValue()) {
                sb.append("<tr><td>").append(SvgChart.esc(e.getKey())).append("</td><td>").append(p.pairs()).append("</td><td>")
                        .append(rate(p.rate())).append("</td><td>").append(rate(p.cRate())).append("</td><td>").append(f(p.p99Us()))
                        .append("</td><td>").append(f(p.cP99Us())).append("</td><td>").append(f(p.ctxPerMsg())).append("</td><td>")
                        .append(f(p.waitUsPerMsg())).append("</td><td>").append(f(p.cCtxPerMsg())).append("</td><td>")
                        .append(f(p.cWaitUsPerMsg())).append("</td><td>").append(p.failed()).append("</td></tr>\n");
                if (p.rate() != null) rate.point(e.getKey() + " Java", p.pairs(), p.rate());
                if (p.cRate() != null) rate.point(e.getKey() + " C", p.pairs(), p.cRate());
                if (p.p99Us() != null) p99.point(e.getKey() + " Java", p.pairs(), p.p99Us());
                if (p.cP99Us() != null) p99.point(e.getKey() + " C", p.pairs(), p.cP99Us());
            }
        }
        sb.append("</table>\n<table><tr><th>curve</th><th>Java</th><th>C</th></tr>\n");
        for (Map.Entry<String, List<Point>> e : curves.entrySet()) {
            sb.append("<tr><td>").append(SvgChart.esc(e.getKey())).append("</td><td style=\"text-align:left\">")
                    .append(SvgChart.esc(knee(e.getValue(), false))).append("</td><td style=\"text-align:left\">")
                    .append(SvgChart.esc(e.getValue().get(0).cRate() == null ? "–" : knee(e.getValue(), true))).append("</td></tr>\n");
        }
        sb.append("</table>\n");
        if (!rate.isEmpty()) sb.append(rate.render());
        if (!p99.isEmpty()) sb.append(p99.render());
        r.measurements().stream().filter(m -> m.pairs() != null).findFirst().ifPresent(m -> sb.append("<p>Placement: ")
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
