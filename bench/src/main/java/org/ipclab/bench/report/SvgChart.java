package org.ipclab.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleFunction;

/**
 * A small line chart with logarithmic axes, rendered as inline SVG: the HTML report needs no
 * script and no network fetch, and renders the same in any browser.
 */
final class SvgChart {
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
            "#e377c2", "#17becf", "#7f7f7f", "#bcbd22", "#393b79", "#ad494a", "#000000", "#f0027f", "#66a61e", "#e6ab02"};
    private static final int W = 720;
    private static final int H = 360;
    private static final int LEFT = 70;
    private static final int RIGHT = 170;
    private static final int TOP = 30;
    private static final int BOTTOM = 50;

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final Map<String, List<double[]>> series = new LinkedHashMap<>();
    private DoubleFunction<String> xTicks = SvgChart::number;

    SvgChart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    SvgChart xTickLabels(DoubleFunction<String> f) {
        this.xTicks = f;
        return this;
    }

    /** Adds a point; x and y must be positive (log axes). */
    void point(String name, double x, double y) {
        if (x > 0 && y > 0 && Double.isFinite(x) && Double.isFinite(y)) {
            series.computeIfAbsent(name, k -> new ArrayList<>()).add(new double[] {x, y});
        }
    }

    boolean isEmpty() {
        return series.isEmpty();
    }

    String render() {
        double xmin = Double.MAX_VALUE, xmax = 0, ymin = Double.MAX_VALUE, ymax = 0;
        for (List<double[]> pts : series.values()) {
            for (double[] p : pts) {
                xmin = Math.min(xmin, p[0]);
                xmax = Math.max(xmax, p[0]);
                ymin = Math.min(ymin, p[1]);
                ymax = Math.max(ymax, p[1]);
            }
        }
        double lx0 = Math.floor(Math.log10(xmin)), lx1 = Math.max(lx0 + 1, Math.ceil(Math.log10(xmax)));
        double ly0 = Math.floor(Math.log10(ymin)), ly1 = Math.max(ly0 + 1, Math.ceil(Math.log10(ymax)));
        int pw = W - LEFT - RIGHT, ph = H - TOP - BOTTOM;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s\">%n",
                W, H, W, H, esc(title)));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" class=\"title\">%s</text>%n", LEFT, esc(title)));
        for (double d = lx0; d <= lx1; d++) {
            double x = LEFT + pw * (d - lx0) / (lx1 - lx0);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"grid\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">%s</text>%n",
                    x, TOP, x, TOP + ph, x, TOP + ph + 16, esc(xTicks.apply(Math.pow(10, d)))));
        }
        for (double d = ly0; d <= ly1; d++) {
            double y = TOP + ph - ph * (d - ly0) / (ly1 - ly0);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">%s</text>%n",
                    LEFT, y, LEFT + pw, y, LEFT - 6, y + 4, esc(number(Math.pow(10, d)))));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"axis\" text-anchor=\"middle\">%s</text>%n",
                LEFT + pw / 2, H - 10, esc(xLabel)));
        sb.append(String.format(Locale.ROOT, "<text transform=\"translate(16 %d) rotate(-90)\" class=\"axis\" text-anchor=\"middle\">%s</text>%n",
                TOP + ph / 2, esc(yLabel)));
        int i = 0;
        for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
            String color = COLORS[i % COLORS.length];
            StringBuilder path = new StringBuilder();
            for (double[] p : e.getValue()) {
                double x = LEFT + pw * (Math.log10(p[0]) - lx0) / (lx1 - lx0);
                double y = TOP + ph - ph * (Math.log10(p[1]) - ly0) / (ly1 - ly0);
                path.append(path.length() == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", x, y));
                if (e.getValue().size() < 12) {
                    sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>", x, y, color));
                }
            }
            sb.append(String.format(Locale.ROOT, "<path class=\"series\" d=\"%s\" stroke=\"%s\"/>%n", path, color));
            int ly = TOP + 14 + 18 * i;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>"
                    + "<text x=\"%d\" y=\"%d\" class=\"legend\">%s</text>%n",
                    W - RIGHT + 12, ly, W - RIGHT + 32, ly, color, W - RIGHT + 38, ly + 4, esc(e.getKey())));
            i++;
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    /** x = 1/(1-p): 1 → "0%", 10 → "90%", 100 → "99%", 1000 → "99.9%". */
    static String percentileLabel(double x) {
        double p = 100 * (1 - 1 / x);
        String s = String.format(Locale.ROOT, "%.4f", p).replaceAll("0+$", "");
        return (s.endsWith(".") ? s.substring(0, s.length() - 1) : s) + "%";
    }

    static String number(double v) {
        if (v >= 1e6) return String.format(Locale.ROOT, "%.0fM", v / 1e6);
        if (v >= 1e3) return String.format(Locale.ROOT, "%.0fk", v / 1e3);
        if (v >= 1) return String.format(Locale.ROOT, "%.0f", v);
        return String.format(Locale.ROOT, "%.2g", v);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
