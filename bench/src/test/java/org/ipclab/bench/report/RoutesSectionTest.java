package org.ipclab.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.ipclab.bench.BenchConfig;
import org.ipclab.bench.Mode;
import org.ipclab.bench.ResultWriters;
import org.ipclab.bench.Results;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared-memory routes section, rendered from a results file written and read back: its rows
 * are the measurements whose mechanism describes itself as shared memory (shm, chronicle: real
 * providers on the class path), a route per recorded choice; tcp and a mechanism this build does
 * not know stay out.
 */
class RoutesSectionTest {
    @TempDir
    Path dir;

    private static Results.Measurement latency(String mech, Map<String, String> params, int size, double p50) {
        Results.Latency l = new Results.Latency(1000, p50, p50 * 1.5, p50 * 3, p50 * 6, p50 * 20, p50 * 1.2);
        return new Results.Measurement(mech, "latency", size, "ok", null, params, List.of(),
                new Results.Summary(l, new Results.Spread(p50, p50, p50, 0), null, null, null), null, null);
    }

    private static Results.Measurement throughput(String mech, Map<String, String> params, int size, double rate) {
        return new Results.Measurement(mech, "throughput", size, "ok", null, params, List.of(),
                new Results.Summary(null, null, rate, rate * size / 1e6, new Results.Spread(rate, rate, rate, 0)), null, null);
    }

    @Test
    void theRowsAreTheSharedMemoryRoutesReadFromTheirDescriptions() throws Exception {
        List<Results.Measurement> ms = new ArrayList<>();
        Map<String, String> posix = Map.of("wait", "spin", "segment", "posix", "segmentFile", "/dev/shm/ipclab-1-shm-x");
        Map<String, String> sysv = Map.of("wait", "futex", "segment", "sysv", "shmid", "7");
        for (int size : List.of(64, 1 << 20)) {
            ms.add(latency("shm", posix, size, size == 64 ? 0.8 : 150));
            ms.add(throughput("shm", posix, size, 1e6));
            ms.add(latency("shm", sysv, size, size == 64 ? 4.5 : 160));
            ms.add(latency("chronicle", Map.of("wait", "spin (a note)"), size, 2.5));
            ms.add(latency("tcp", Map.of(), size, 15));
            ms.add(latency("not-in-this-build", Map.of(), size, 1));
        }
        BenchConfig cfg = new BenchConfig(List.of("shm", "chronicle", "tcp"), List.of(Mode.LATENCY, Mode.THROUGHPUT), List.of(64, 1 << 20),
                Duration.ofMillis(100), Duration.ofMillis(100), 0, 1, Duration.ofSeconds(10), Map.of());
        Path file = dir.resolve("results.json");
        ResultWriters.json(new Results.Report("ipclab", "test", "2026-12-02T00:00:00Z", Map.of("cores", "2"), cfg, ms, List.of(), false), file);

        Results.Report read = Reports.read(file);
        List<RoutesSection.Route> routes = RoutesSection.routes(read);
        assertEquals(List.of("chronicle wait=spin", "chronicle wait=spin", "shm wait=futex segment=sysv", "shm wait=futex segment=sysv",
                "shm wait=spin segment=posix", "shm wait=spin segment=posix"), routes.stream().map(RoutesSection.Route::label).toList());
        RoutesSection.Route spin64 = routes.get(4);
        assertEquals(64, spin64.size());
        assertTrue(spin64.busyWaits(), "spin burns a CPU: the description says so");
        assertEquals(1e6, spin64.throughput().msgsPerSec(), "latency and throughput of one route share a row");
        assertFalse(routes.get(2).busyWaits(), "futex sleeps");

        String html = Reports.html(read);
        assertTrue(html.contains("<h2>" + RoutesSection.TITLE + "</h2>"), "the section is in the page");
        String section = html.substring(html.indexOf("<h2>" + RoutesSection.TITLE), html.indexOf("<h2>Table</h2>"));
        assertTrue(section.contains("<svg") && section.contains("shm wait=futex segment=sysv 1 MiB"), section);
        assertTrue(section.contains("<td>0.80</td><td>2.40</td>"), "p50 and p99 of the spin row: " + section);
        assertFalse(section.contains("tcp") || section.contains("not-in-this-build"), "only shared-memory routes: " + section);
        assertTrue(RoutesSection.markdown(read).orElseThrow().contains("| shm wait=futex segment=sysv | sleeps | 64 B |"));
    }

    @Test
    void aRunWithoutSharedMemoryHasNoSection() {
        assertEquals("", RoutesSection.html(ReportsTest.sample()), "tcp and unix only");
        assertTrue(RoutesSection.svg(ReportsTest.sample()).isEmpty());
    }
}
