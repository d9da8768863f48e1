package org.ipclab.labs.lab7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.ipclab.labs.Seeded;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Lab 7 check. Tasks and hints: {@link org.ipclab.labs.LabCatalog}. */
class Lab7Check {
    @RegisterExtension
    final Seeded seeded = new Seeded();
    private final java.util.Random random = seeded.random();
    /** Random p50 values (µs, two decimals, all different), so that a ranking written down in advance fails. */
    private int made;
    private final double tcp64 = p50(), unix64 = p50(), udp64 = p50(), tcp4k = p50(), unix4k = p50();
    private final double rate = 1000 + random.nextInt(1_000_000) + 0.5;

    private double p50() {
        return 2 + random.nextInt(6000) / 100.0 + ++made * 0.0001; // the ten-thousandths keep any two apart
    }

    /** A results file in the documented schema, with a failed and a throughput measurement and a field from the future. */
    private String fixture() {
        return "{\"tool\":\"ipclab\",\"partial\":false,\"futureField\":{\"x\":1},\"config\":{\"repeat\":3},"
                + "\"measurements\":["
                + m("tcp", "latency", 64, "ok", "{\"count\":10,\"p50Us\":" + tcp64 + ",\"p99Us\":90.0}", "null")
                + "," + m("unix", "latency", 64, "ok", "{\"count\":10,\"p50Us\":" + unix64 + ",\"p99Us\":90.0}", "null")
                + "," + m("udp", "latency", 64, "ok", "{\"count\":10,\"p50Us\":" + udp64 + ",\"p99Us\":90.0}", "null")
                + "," + m("fifo", "latency", 64, "failed", "null", "null")
                + "," + m("tcp", "latency", 4096, "ok", "{\"count\":10,\"p50Us\":" + tcp4k + ",\"p99Us\":90.0}", "null")
                + "," + m("unix", "latency", 4096, "ok", "{\"count\":10,\"p50Us\":" + unix4k + ",\"p99Us\":90.0}", "null")
                + "," + m("tcp", "throughput", 4096, "ok", "null", String.valueOf(rate))
                + "]}";
    }

    /** The mechanisms by increasing p50. */
    private static List<String> ranked(Map<String, Double> p50) {
        return p50.entrySet().stream().sorted(Map.Entry.comparingByValue()).map(Map.Entry::getKey).toList();
    }

    private static String m(String mech, String mode, int size, String status, String latency, String rate) {
        return "{\"mechanism\":\"" + mech + "\",\"mode\":\"" + mode + "\",\"sizeBytes\":" + size + ",\"status\":\"" + status + "\","
                + "\"error\":" + (status.equals("ok") ? "null" : "\"peer died\"") + ",\"repeats\":[],"
                + "\"summary\":{\"latency\":" + latency + ",\"msgsPerSec\":" + rate + ",\"mbPerSec\":null}}";
    }

    @TempDir
    Path tmp;

    private List<Study.Row> fixtureRows() throws Exception {
        Path f = tmp.resolve("results.json");
        Files.writeString(f, fixture());
        return Study.load(f);
    }

    @Test
    @Timeout(10)
    void task1_loadReadsTheResultsFile() throws Exception {
        List<Study.Row> rows = fixtureRows();
        assertEquals(6, rows.size(), "rows: 7 measurements, 1 failed (left out)");
        Study.Row unix = rows.stream().filter(r -> r.mechanism().equals("unix") && r.sizeBytes() == 64).findFirst()
                .orElseThrow(() -> new AssertionError("no row for unix at 64 B"));
        assertEquals("latency", unix.mode());
        assertEquals(unix64, unix.p50Us(), 1e-9, "unix 64 B p50Us");
        assertEquals(null, unix.msgsPerSec(), "msgsPerSec of a latency row");
        Study.Row tput = rows.stream().filter(r -> r.mode().equals("throughput")).findFirst()
                .orElseThrow(() -> new AssertionError("the throughput row is missing"));
        assertEquals(rate, tput.msgsPerSec(), 1e-9, "msgsPerSec");
        assertEquals(null, tput.p50Us(), "p50Us of a throughput row");
        assertFalse(rows.stream().anyMatch(r -> r.mechanism().equals("fifo")), "the failed fifo measurement must be left out");
    }

    @Test
    @Timeout(10)
    void task2_rankByLatency() throws Exception {
        List<Study.Row> rows = fixtureRows();
        assertEquals(ranked(Map.of("tcp", tcp64, "unix", unix64, "udp", udp64)), Study.rankByLatency(rows, 64),
                "ranking at 64 B (p50: tcp " + tcp64 + ", unix " + unix64 + ", udp " + udp64 + ")");
        assertEquals(ranked(Map.of("tcp", tcp4k, "unix", unix4k)), Study.rankByLatency(rows, 4096),
                "ranking at 4096 B (p50: tcp " + tcp4k + ", unix " + unix4k + "; throughput rows do not count)");
        assertEquals(List.of(), Study.rankByLatency(rows, 1), "ranking at a size nobody measured");
    }

    /** mechanism -> (size -> p50) of the student's own latency measurements. */
    private static Map<String, Map<Integer, Double>> ownLatency() throws Exception {
        Path f = Answers.resultsFile();
        assertTrue(f != null && Files.isRegularFile(f), "no results file at " + f + ": run the ipc bench command of the lab text first");
        JsonNode root = new ObjectMapper().readTree(f.toFile());
        assertEquals("ipclab", root.path("tool").asText(), f + " was not written by ipc bench");
        assertFalse(root.path("partial").asBoolean(), f + " is a partial run (interrupted): run it again to the end");
        assertTrue(root.path("config").path("repeat").asInt() >= 3, "--repeat must be at least 3 (spread matters), was "
                + root.path("config").path("repeat").asInt());
        Map<String, Map<Integer, Double>> lat = new TreeMap<>();
        for (JsonNode m : root.path("measurements")) {
            if (!m.path("mode").asText().equals("latency") || !m.path("status").asText().equals("ok")) continue;
            lat.computeIfAbsent(m.path("mechanism").asText(), k -> new TreeMap<>())
                    .put(m.path("sizeBytes").asInt(), m.path("summary").path("latency").path("p50Us").asDouble());
        }
        return lat;
    }

    @Test
    @Timeout(10)
    void task3_yourOwnMeasurement() throws Exception {
        Map<String, Map<Integer, Double>> lat = ownLatency();
        for (String mech : List.of("tcp", "unix")) {
            assertTrue(lat.containsKey(mech), "no successful latency measurement of " + mech + " in " + Answers.resultsFile());
            assertTrue(lat.get(mech).size() >= 2, mech + ": measure at least two sizes (--sizes 64,64k), found " + lat.get(mech).keySet());
        }
    }

    private static final Pattern NUMBER = Pattern.compile("\\d+(?:\\.\\d+)?");

    @Test
    @Timeout(10)
    void task4_predictionAndExplanation() throws Exception {
        Map<String, Map<Integer, Double>> lat = ownLatency();
        List<String> predicted = Answers.predictedRanking();
        assertEquals(lat.keySet(), new HashSet<>(predicted), "predictedRanking() must name each mechanism you measured, once");
        assertEquals(predicted.size(), new HashSet<>(predicted).size(), "predictedRanking() names a mechanism twice");
        String text = Answers.explanation();
        int words = text == null ? 0 : text.trim().split("\\s+").length;
        assertTrue(words >= 40, "explanation(): " + words + " words, at least 40 please");
        for (String mech : lat.keySet()) {
            assertTrue(Pattern.compile("\\b" + Pattern.quote(mech) + "\\b", Pattern.CASE_INSENSITIVE).matcher(text).find(),
                    "explanation() never names " + mech + ", which you measured");
        }
        // A comparison needs numbers of both sides: at least one measured p50 of two different mechanisms.
        Set<String> quotedFor = new java.util.TreeSet<>();
        Matcher m = NUMBER.matcher(text);
        while (m.find()) {
            double x = Double.parseDouble(m.group());
            lat.forEach((mech, bySize) -> bySize.values().forEach(p50 -> {
                if (Math.abs(x - p50) <= Math.max(0.05, 0.02 * p50)) quotedFor.add(mech);
            }));
        }
        Set<String> rounded = new java.util.TreeSet<>();
        lat.forEach((mech, bySize) -> bySize.values().forEach(v -> rounded.add(mech + " " + String.format(java.util.Locale.ROOT, "%.1f", v))));
        assertTrue(quotedFor.size() >= 2, "explanation() must quote measured p50 values of at least two mechanisms (it quotes "
                + (quotedFor.isEmpty() ? "none" : "only " + quotedFor) + "); yours are " + rounded);
    }
}
