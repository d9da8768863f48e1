package org.ipclab.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

import org.ipclab.bench.Results;
import org.ipclab.core.Capability;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.MechanismOption;
import org.ipclab.core.Providers;
import org.ipclab.core.Units;

/**
 * "Shared-memory routes": every measured route whose data path is mapped memory, side by side —
 * ipclab's ring with each way of waiting and each kind of segment, and the libraries beside it.
 *
 * <p>Nothing here names a mechanism or an option. A measurement belongs here when its mechanism,
 * described with the options it ran with, has {@link Capability#SHARED_MEMORY}; a route is the
 * mechanism plus the values of its {@link MechanismOption.Type#CHOICE} options that the run
 * recorded in its parameters (so the ring's wait and segment, a library's wait). A mechanism this
 * build does not have cannot be described, so its rows are left out.
 */
public final class RoutesSection {
    static final String TITLE = "Shared-memory routes";

    private RoutesSection() {
    }

    /** One route at one size and placement: its closed-loop latency and its throughput, either may be missing. */
    record Route(String label, boolean busyWaits, int size, String placement, Results.Latency latency, Results.Summary throughput) {
    }

    /** The section for the HTML report, or "" when the run measured no shared-memory route. */
    public static String html(Results.Report r) {
        List<Route> routes = routes(r);
        if (routes.isEmpty()) return "";
        StringBuilder sb = new StringBuilder("<h2>").append(TITLE).append("</h2>\n");
        sb.append("<p>Every route whose messages travel through memory both processes map: no system call per message unless a side sleeps. "
                + "A route is the mechanism and the choices it ran with; \"spins\" marks a waiting side that burns its CPU instead of sleeping.</p>\n");
        sb.append(chart(routes));
        sb.append("<table><tr>");
        for (String h : new String[] {"shared-memory route", "waits", "size", "placement", "RTT p50 µs", "p99 µs", "p99.9 µs", "msgs/s", "MB/s"}) {
            sb.append("<th>").append(SvgChart.esc(h)).append("</th>");
        }
        sb.append("</tr>\n");
        for (Route route : routes) {
            sb.append("<tr><td>").append(SvgChart.esc(route.label)).append("</td><td>").append(route.busyWaits ? "spins" : "sleeps")
                    .append("</td><td>").append(Units.formatSize(route.size)).append("</td><td>")
                    .append(SvgChart.esc(route.placement == null ? "–" : route.placement)).append("</td><td>")
                    .append(f2(route.latency == null ? null : route.latency.p50Us())).append("</td><td>")
                    .append(f2(route.latency == null ? null : route.latency.p99Us())).append("</td><td>")
                    .append(f2(route.latency == null ? null : route.latency.p999Us())).append("</td><td>")
                    .append(route.throughput == null || route.throughput.msgsPerSec() == null ? "–"
                            : String.format(Locale.ROOT, "%,.0f", route.throughput.msgsPerSec())).append("</td><td>")
                    .append(route.throughput == null || route.throughput.mbPerSec() == null ? "–"
                            : String.format(Locale.ROOT, "%.1f", route.throughput.mbPerSec())).append("</td></tr>\n");
        }
        return sb.append("</table>\n").toString();
    }

    /** The shared-memory routes a report measured, by label, size and placement. */
    static List<Route> routes(Results.Report r) {
        Map<String, ChannelProvider> providers = new LinkedHashMap<>();
        for (ChannelProvider p : Providers.all()) providers.put(p.name(), p);
        Map<String, Route> byKey = new TreeMap<>();
        for (Results.Measurement m : r.measurements()) {
            if (m.summary() == null || m.summary().openLoop()) continue;
            ChannelProvider p = providers.get(m.mechanism());
            if (p == null) continue;
            ChannelSpec spec = recordedChoices(p, m);
            MechanismInfo info = describe(p, spec);
            if (!info.has(Capability.SHARED_MEMORY)) continue;
            String label = spec.options().isEmpty() ? p.name() : spec.toString();
            String key = label + "\u0000" + String.format("%012d", m.sizeBytes()) + "\u0000" + Objects.toString(m.placement(), "");
            Route old = byKey.get(key);
            Results.Latency lat = old == null ? null : old.latency;
            Results.Summary thr = old == null ? null : old.throughput;
            if (m.summary().latency() != null) lat = m.summary().latency();
            else thr = m.summary();
            byKey.put(key, new Route(label, info.has(Capability.BUSY_WAITS), m.sizeBytes(), m.placement(), lat, thr));
        }
        return new ArrayList<>(byKey.values());
    }

    /** The mechanism with the values of its CHOICE options that the measurement recorded. */
    private static ChannelSpec recordedChoices(ChannelProvider p, Results.Measurement m) {
        ChannelSpec spec = ChannelSpec.of(p.name());
        Map<String, String> params = m.parameters() == null ? Map.of() : m.parameters();
        for (MechanismOption o : p.describe().options()) {
            String v = params.get(o.name());
            if (v == null || o.type() != MechanismOption.Type.CHOICE) continue;
            String value = v.trim().split("[ (]", 2)[0]; // an echo may explain itself: "spin (BusySpinIdleStrategy)"
            if (o.allowed().contains(value)) spec = spec.with(o.name(), value);
        }
        return spec;
    }

    /** The description for these choices; the defaults' when this build refuses them. */
    private static MechanismInfo describe(ChannelProvider p, ChannelSpec spec) {
        try {
            return p.describe(spec);
        } catch (RuntimeException e) {
            return p.describe();
        }
    }

    /**
     * Horizontal bars on a log scale, one pair per route and size: RTT p50 (dark) and p99 (light),
     * so that a route's typical hop and its tail read at a glance against the others.
     */
    static String chart(List<Route> routes) {
        List<Route> rows = routes.stream().filter(x -> x.latency != null && x.latency.p50Us() > 0).toList();
        if (rows.isEmpty()) return "";
        double min = rows.stream().mapToDouble(x -> x.latency.p50Us()).min().orElse(1);
        double max = rows.stream().mapToDouble(x -> Math.max(x.latency.p50Us(), x.latency.p99Us())).max().orElse(1);
        double lo = Math.floor(Math.log10(min)), hi = Math.max(lo + 1, Math.ceil(Math.log10(max)));
        int left = 320, width = 360, bar = 10, rowH = 2 * bar + 10, top = 40;
        int height = top + rows.size() * rowH + 30;
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 760 %d\" width=\"760\" height=\"%d\" role=\"img\" aria-label=\"%s\">%n",
                height, height, TITLE));
        sb.append("<text x=\"10\" y=\"18\" class=\"title\">" + TITLE + ": RTT p50 (dark) and p99 (light), µs, log scale</text>\n");
        for (double d = lo; d <= hi; d++) {
            double x = left + width * (d - lo) / (hi - lo);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"grid\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">%s</text>%n",
                    x, top - 8, x, height - 24, x, height - 10, SvgChart.esc(SvgChart.number(Math.pow(10, d)))));
        }
        int y = top;
        for (Route route : rows) {
            String name = route.label + " " + Units.formatSize(route.size) + (route.placement == null ? "" : ", " + route.placement);
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"tick\" text-anchor=\"end\">%s</text>%n",
                    left - 8, y + bar + 4, SvgChart.esc(name)));
            y = bar(sb, left, width, lo, hi, y, bar, route.latency.p50Us(), "#1f77b4");
            y = bar(sb, left, width, lo, hi, y, bar, route.latency.p99Us(), "#9ecae1");
            y += rowH - 2 * bar;
        }
        return sb.append("</svg>\n").toString();
    }

    private static int bar(StringBuilder sb, int left, int width, double lo, double hi, int y, int h, double us, String color) {
        double w = us <= 0 ? 0 : Math.max(1, width * (Math.log10(us) - lo) / (hi - lo));
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>"
                + "<text x=\"%.1f\" y=\"%d\" class=\"tick\">%.2f</text>%n", left, y, w, h, color, left + w + 4, y + h - 1, us));
        return y + h;
    }

    private static String f2(Double v) {
        return v == null ? "–" : String.format(Locale.ROOT, "%.2f", v);
    }

    /** The rows as a Markdown table (for docs/results), or empty when there is none. */
    public static Optional<String> markdown(Results.Report r) {
        List<Route> routes = routes(r);
        if (routes.isEmpty()) return Optional.empty();
        StringBuilder sb = new StringBuilder("| route | waits | size | placement | RTT p50 µs | p99 µs | p99.9 µs | msgs/s | MB/s |\n"
                + "|---|---|---:|---|---:|---:|---:|---:|---:|\n");
        for (Route x : routes) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", x.label, x.busyWaits ? "spins" : "sleeps",
                    Units.formatSize(x.size), x.placement == null ? "–" : x.placement,
                    f2(x.latency == null ? null : x.latency.p50Us()), f2(x.latency == null ? null : x.latency.p99Us()),
                    f2(x.latency == null ? null : x.latency.p999Us()),
                    x.throughput == null || x.throughput.msgsPerSec() == null ? "–" : String.format(Locale.ROOT, "%,.0f", x.throughput.msgsPerSec()),
                    x.throughput == null || x.throughput.mbPerSec() == null ? "–" : String.format(Locale.ROOT, "%.1f", x.throughput.mbPerSec())));
        }
        return Optional.of(sb.toString());
    }

    /** The chart alone, for {@code ipc report --charts}; empty when no route has latency figures. */
    public static Optional<String> svg(Results.Report r) {
        String c = chart(routes(r));
        return c.isEmpty() ? Optional.empty() : Optional.of(c);
    }
}
