package org.ipclab.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.ipclab.bench.BenchConfig;
import org.ipclab.bench.Mode;
import org.ipclab.bench.ResultWriters;
import org.ipclab.bench.Results;
import org.ipclab.core.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportsTest {
    static Results.Report sample() {
        List<Results.Measurement> ms = new ArrayList<>();
        for (String mech : List.of("tcp", "unix")) {
            for (int size : List.of(64, 4096, 65536)) {
                double base = mech.equals("tcp") ? 20 : 12;
                List<Results.Point> pts = List.of(new Results.Point(0, base * 0.8), new Results.Point(50, base),
                        new Results.Point(90, base * 1.2), new Results.Point(99, base * 3), new Results.Point(99.9, base * 8), new Results.Point(100, base * 20));
                Results.Latency l = new Results.Latency(1000, base, base * 1.2, base * 3, base * 8, base * 20, base * 1.1);
                ms.add(new Results.Measurement(mech, "latency", size, "ok", null, Map.of("peer pid", "1"), List.of(),
                        new Results.Summary(l, new Results.Spread(base, base, base, 0), null, null, null, null, null, null, pts),
                        new Results.Integrity(1000, 1000, 0, 0, 0), new Results.Cpu(5.0, 4.0)));
                ms.add(new Results.Measurement(mech, "throughput", size, "ok", null, Map.of(), List.of(),
                        new Results.Summary(null, null, 1e6 / base, size / base, new Results.Spread(1, 1, 1, 0)),
                        new Results.Integrity(5000, 5000, 0, 0, 0), new Results.Cpu(1.0, 1.0)));
            }
        }
        BenchConfig cfg = new BenchConfig(List.of("tcp", "unix"), List.of(Mode.LATENCY, Mode.THROUGHPUT), List.of(64, 4096, 65536),
                Duration.ofMillis(500), Duration.ofSeconds(1), 0, 3, Duration.ofSeconds(10), Map.of());
        return new Results.Report("ipclab", "test", "2026-11-27T00:00:00Z", Map.of("cores", "2", "cpu", "test <cpu>"), cfg, ms, List.of("a note"), false);
    }

    @Test
    void markdownHasOneRowPerMechanismAndSize() {
        String md = Reports.markdown(sample());
        assertEquals(6, md.lines().filter(l -> l.startsWith("| tcp") || l.startsWith("| unix")).count(), md);
    }

    @Test
    void aRunOverTwoPlacementsKeepsARowAndASeriesPerPlacement() {
        Results.Report one = sample();
        List<Results.Measurement> both = new ArrayList<>();
        for (Results.Measurement m : one.measurements()) {
            both.add(m.withPlacement("same-cpu 0,0"));
            both.add(m.withPlacement("cross-cpu 0,1"));
        }
        Results.Report r = new Results.Report("ipclab", "test", one.startedAt(), one.environment(), one.config(), both, List.of(), false);
        String md = Reports.markdown(r);
        assertEquals(12, md.lines().filter(l -> l.startsWith("| tcp") || l.startsWith("| unix")).count(), md);
        assertTrue(md.contains("| tcp same-cpu 0,0 | 64 B |"), md);
        assertTrue(md.contains("| tcp cross-cpu 0,1 | 64 B |"), md);
        String html = Reports.html(r);
        assertTrue(html.contains("<td>unix same-cpu 0,0</td>"), "one HTML row per placement");
        assertTrue(html.contains("unix cross-cpu 0,1"), "a chart series per placement");
    }

    @Test
    void htmlIsSelfContainedWithThreeKindsOfChart() {
        String html = Reports.html(sample());
        assertTrue(html.contains("RTT percentiles at 64 B"));
        assertTrue(html.contains("RTT p50 vs message size"));
        assertTrue(html.contains("Throughput vs message size"));
        assertTrue(html.contains("tcp: RTT percentiles") && html.contains("unix: RTT percentiles"), "a distribution chart per mechanism");
        assertTrue(html.contains("64 B, unpinned"), "the placement named in the legend");
        assertTrue(html.contains("test &lt;cpu&gt;"), "environment values are escaped");
        Matcher external = Pattern.compile("(src|href)=\"(https?:)?//").matcher(html);
        assertTrue(!external.find(), "the page must not fetch anything: " + (external.find(0) ? external.group() : ""));
    }

    @Test
    void foreignOrBrokenFilesAreRefusedWithTheFileNamed(@TempDir Path dir) throws Exception {
        Path none = dir.resolve("none.json");
        assertTrue(assertThrows(BadInputException.class, () -> Reports.read(none)).getMessage().contains("none.json: no such file"));
        Path foreign = Files.writeString(dir.resolve("foreign.json"), "{\"name\":\"something else\"}");
        assertTrue(assertThrows(BadInputException.class, () -> Reports.read(foreign)).getMessage().contains("not an ipclab results file"));
        Path broken = Files.writeString(dir.resolve("broken.json"), "{ not json");
        assertTrue(assertThrows(BadInputException.class, () -> Reports.read(broken)).getMessage().startsWith(broken + ": "));
        Path good = dir.resolve("good.json");
        ResultWriters.json(sample(), good);
        assertEquals(sample(), Reports.read(good));
    }

    /** sample() with every RTT doubled and every rate halved, pinned: a slower run in another placement. */
    static Results.Report slowerPinned() {
        Results.Report r = sample();
        List<Results.Measurement> ms = new ArrayList<>();
        for (Results.Measurement m : r.measurements()) {
            Results.Summary s = m.summary();
            Results.Latency l = s.latency() == null ? null : new Results.Latency(s.latency().count(), 2 * s.latency().p50Us(), 2 * s.latency().p90Us(),
                    2 * s.latency().p99Us(), 2 * s.latency().p999Us(), 2 * s.latency().maxUs(), 2 * s.latency().meanUs());
            List<Results.Point> pts = s.percentiles() == null ? null : s.percentiles().stream().map(p -> new Results.Point(p.percentile(), 2 * p.us())).toList();
            Results.Summary slow = new Results.Summary(l, s.p50Us(), s.msgsPerSec() == null ? null : s.msgsPerSec() / 2,
                    s.mbPerSec() == null ? null : s.mbPerSec() / 2, s.msgsPerSecSpread(), null, null, null, pts);
            ms.add(new Results.Measurement(m.mechanism(), m.mode(), m.sizeBytes(), m.status(), m.error(), m.parameters(), m.repeats(), slow, m.integrity(), m.cpu()));
        }
        Map<String, String> env = new java.util.LinkedHashMap<>(r.environment());
        env.put("pinning", "runner on CPU 0, peer on CPU 1 (taskset)");
        return new Results.Report("ipclab", "test", "2026-11-28T00:00:00Z", env, r.config(), ms, List.of(), false);
    }

    @Test
    void comparisonOfTwoRunsFlagsTheSlowerOneAndChartsBothPlacements() {
        Comparison c = new Comparison(List.of(new Comparison.Run("base.json", sample()), new Comparison.Run("pinned.json", slowerPinned())));
        assertEquals(12, c.rows().size());
        assertTrue(c.rows().stream().allMatch(r -> r.verdict().equals("slower")), c.table());
        assertEquals(12, c.slowerThan(10).size());
        assertEquals(0, c.slowerThan(150).size(), "+100% latency and +50% (half the rate) are below 150%");
        String html = c.html();
        assertTrue(html.contains("base.json 64 B, unpinned"), "placement in the legend");
        assertTrue(html.contains("pinned.json 64 B, pinned: runner on CPU 0, peer on CPU 1"));
        assertTrue(!Pattern.compile("(src|href)\\s*=\\s*\"?(https?:)?//|<script|@import|url\\(").matcher(html).find(), "one offline file");
        Comparison same = new Comparison(List.of(new Comparison.Run("a", sample()), new Comparison.Run("b", sample())));
        assertTrue(same.rows().stream().allMatch(r -> r.verdict().equals("within noise")), same.table());
    }

    /** The page as a browser shows it: Debian's Chromium, headless (installed by .ci/run). */
    @Test
    void htmlRendersInHeadlessChromiumWithItsCharts(@TempDir Path dir) throws Exception {
        Path chromium = Path.of("/usr/bin/chromium");
        assumeTrue(Files.isExecutable(chromium), "chromium is not installed (.ci/run installs it)");
        Path compared = Files.writeString(dir.resolve("compare.html"),
                new Comparison(List.of(new Comparison.Run("base.json", sample()), new Comparison.Run("pinned.json", slowerPinned()))).html());
        Path page = Files.writeString(dir.resolve("report.html"), Reports.html(sample()));
        List<String> common = List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + dir.resolve("profile"));
        List<String> dump = new ArrayList<>(common);
        dump.add("--dump-dom");
        dump.add(page.toUri().toString());
        Process p = new ProcessBuilder(dump).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        long charts = Pattern.compile("<svg class=\"chart\"").matcher(dom).results().count();
        assertTrue(charts >= 5, "charts in the rendered DOM: " + charts);
        assertTrue(dom.contains("class=\"series\""), "chart lines present");

        List<String> dumpCompared = new ArrayList<>(common);
        dumpCompared.add("--dump-dom");
        dumpCompared.add(compared.toUri().toString());
        Process pc = new ProcessBuilder(dumpCompared).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String cdom = new String(pc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(pc.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, Pattern.compile("<svg class=\"chart\"").matcher(cdom).results().count(), "a percentile chart per mechanism");
        assertTrue(cdom.contains("<tr class=\"slower\">"), "the comparison table rendered");

        Path png = dir.resolve("report.png");
        List<String> shot = new ArrayList<>(common);
        shot.add("--screenshot=" + png);
        shot.add("--window-size=1200,2400");
        shot.add(page.toUri().toString());
        Process s = new ProcessBuilder(shot).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(s.waitFor(60, TimeUnit.SECONDS));
        assertTrue(Files.size(png) > 20_000, "screenshot of the rendered page: " + Files.size(png) + " bytes");
    }
}
