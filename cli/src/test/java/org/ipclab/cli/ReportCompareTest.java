package org.ipclab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** 'ipc report a.json b.json': a real run against a deliberately slowed copy of it. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReportCompareTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    static Path old;
    static Path slowed;

    @BeforeAll
    static void measureOnceAndSlowACopy() throws Exception {
        old = dir.resolve("old.json");
        CliTest.Run r = Ipc.run(Map.of(), "bench", "-m", "pipe", "--sizes", "64", "--mode", "both", "--duration", "150ms",
                "--warmup", "50ms", "--repeat", "3", "--baseline", "none", "--placement", "same-cpu", "-q", "--json", old.toString());
        // One CPU: unpinned, a repeat that lands across CPUs pays the VM's idle wake-up (up to 60 us
        // against 4) and its spread swallows even a tenfold slow-down as "within noise".
        assertEquals(0, r.exit(), r.all());
        // Ten times the latency, a tenth of the throughput: outside even a loaded machine's repeat spread.
        JsonNode doc = JSON.readTree(old.toFile());
        for (JsonNode m : doc.get("measurements")) {
            ObjectNode s = (ObjectNode) m.get("summary");
            if (s.get("latency").isObject()) {
                ObjectNode l = (ObjectNode) s.get("latency");
                for (String f : new String[] {"p50Us", "p90Us", "p99Us", "p999Us", "maxUs", "meanUs"}) l.put(f, l.get(f).asDouble() * 10);
                ObjectNode p50 = (ObjectNode) s.get("p50Us");
                for (String f : new String[] {"min", "median", "max"}) p50.put(f, p50.get(f).asDouble() * 10);
            } else {
                s.put("msgsPerSec", s.get("msgsPerSec").asDouble() / 10);
                s.put("mbPerSec", s.get("mbPerSec").asDouble() / 10);
            }
        }
        slowed = dir.resolve("slowed.json");
        JSON.writeValue(slowed.toFile(), doc);
    }

    @Test
    void aSlowedRunIsFlaggedAndFailsTheGate() throws Exception {
        CliTest.Run r = Ipc.run(Map.of(), "report", old.toString(), slowed.toString(), "--fail-if-slower", "10");
        assertEquals(1, r.exit(), r.all());
        assertEquals(2, r.out().lines().filter(l -> l.startsWith("pipe") && l.trim().endsWith("slower")).count(), r.out());
        assertEquals(2, r.out().lines().filter(l -> l.contains("+900.0%")).count(), r.out());
        assertTrue(r.err().contains("2 measurement(s) slower by more than 10.0%"), r.err());
    }

    @Test
    void aRunAgainstItselfIsWithinNoiseAndPasses() throws Exception {
        CliTest.Run r = Ipc.run(Map.of(), "report", old.toString(), old.toString(), "--fail-if-slower", "10");
        assertEquals(0, r.exit(), r.all());
        assertEquals(2, r.out().lines().filter(l -> l.trim().endsWith("within noise")).count(), r.out());
        // the faster direction: the slowed run as the base
        CliTest.Run f = Ipc.run(Map.of(), "report", slowed.toString(), old.toString());
        assertEquals(2, f.out().lines().filter(l -> l.trim().endsWith("faster")).count(), f.out());
    }

    @Test
    void markdownAndAnOfflineHtmlComparison() throws Exception {
        Path md = dir.resolve("cmp.md");
        Path html = dir.resolve("cmp.html");
        CliTest.Run r = Ipc.run(Map.of(), "report", old.toString(), slowed.toString(), "--markdown", md.toString(), "--html", html.toString());
        assertEquals(0, r.exit(), r.all());
        assertTrue(Files.readString(md).contains("| pipe same-cpu 0,0 | latency | 64 B | slowed.json |"), Files.readString(md));
        String page = Files.readString(html);
        assertTrue(page.contains("<tr class=\"slower\">"), "verdicts marked in the table");
        assertTrue(page.contains("pipe: RTT percentiles"), "a percentile chart per mechanism");
        assertTrue(page.contains("old.json 64 B") && page.contains("slowed.json 64 B"), "both runs on the chart");
        assertFalse(Pattern.compile("(src|href)\\s*=\\s*\"?(https?:)?//|<script|@import|url\\(").matcher(page).find(), "nothing fetched");
    }

    /** Files of schema 1 (no schemaVersion, config.modes "LATENCY"), like the committed results, still read. */
    @Test
    void olderSchemaFilesStillRead() throws Exception {
        Path committed = Path.of(System.getProperty("user.dir")).resolveSibling("docs").resolve("results").resolve("results.json");
        ObjectNode v1 = (ObjectNode) JSON.readTree(old.toFile());
        v1.remove("schemaVersion");
        v1.remove("settings");
        ((com.fasterxml.jackson.databind.node.ArrayNode) v1.with("config").withArray("modes")).removeAll().add("LATENCY").add("THROUGHPUT");
        Path file = dir.resolve("v1.json");
        JSON.writeValue(file.toFile(), v1);
        CliTest.Run r = Ipc.run(Map.of(), "report", file.toString(), old.toString());
        assertEquals(0, r.exit(), r.all());
        if (Files.isRegularFile(committed)) assertEquals(0, Ipc.run(Map.of(), "report", committed.toString()).exit());
    }

    @Test
    void badFilesAreOneLineErrorsNamingFileAndField() throws Exception {
        CliTest.assertUsageError(Ipc.run(Map.of(), "report"), "RESULTS.json");
        Path foreign = Files.writeString(dir.resolve("foreign.json"), "{\"tool\":\"other\",\"measurements\":[]}");
        CliTest.assertUsageError(Ipc.run(Map.of(), "report", old.toString(), foreign.toString()), "foreign.json", "\"tool\"");
        ObjectNode newer = (ObjectNode) JSON.readTree(old.toFile());
        newer.put("schemaVersion", 99).put("version", "9.9.9");
        Path future = dir.resolve("future.json");
        JSON.writeValue(future.toFile(), newer);
        CliTest.assertUsageError(Ipc.run(Map.of(), "report", future.toString()), "future.json", "\"schemaVersion\" is 99",
                "written by ipclab 9.9.9, this is ipclab " + VersionProvider.version());
        CliTest.assertUsageError(Ipc.run(Map.of(), "report", old.toString(), "--fail-if-slower", "5"), "--fail-if-slower", "two");
    }
}
