package org.ipclab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.ipclab.bench.Results;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What 'ipc bench' writes for other tools, checked against docs/results.schema.json on real runs. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ResultsSchemaTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static JsonSchema schema;

    @BeforeAll
    static void loadSchema() throws Exception {
        Path file = Path.of(System.getProperty("user.dir")).resolveSibling("docs").resolve("results.schema.json");
        schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(Files.readString(file));
    }

    static Set<ValidationMessage> validate(JsonNode doc) {
        return schema.validate(doc);
    }

    /** Runs {@code ipc ARGS} (its JSON on stdout): exit 0, and what it printed matches the schema. */
    static JsonNode validJson(String... args) throws Exception {
        CliTest.Run r = Ipc.run(Map.of(), args);
        assertEquals(0, r.exit(), r.all());
        JsonNode doc = JSON.readTree(r.out());
        assertEquals(Set.of(), validate(doc), r.out());
        return doc;
    }

    static CliTest.Run bench(String... extra) throws Exception {
        String[] base = {"bench", "-m", "pipe", "--sizes", "64", "--duration", "150ms", "--warmup", "50ms"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return Ipc.run(Map.of(), args);
    }

    @Test
    void jsonOnStdoutIsTheOnlyThingThereAndMatchesTheSchema() throws Exception {
        CliTest.Run r = bench("--mode", "both", "--repeat", "2", "--json", "-");
        assertEquals(0, r.exit(), r.all());
        JsonNode doc = JSON.readTree(r.out()); // all of stdout parses: the table and progress went to stderr
        assertTrue(r.err().contains("Latency: round-trip time"), "table on stderr: " + r.err());
        assertEquals(Set.of(), validate(doc), r.out());
        assertEquals(Results.SCHEMA_VERSION, doc.get("schemaVersion").asInt());
        assertEquals("latency", doc.at("/config/modes/0").asText(), "one spelling per enum");
        assertEquals("latency", doc.at("/measurements/0/mode").asText());
        assertEquals("command line", doc.at("/settings/repeat/source").asText());
        assertEquals("default", doc.at("/settings/timeout/source").asText());
        assertTrue(doc.at("/environment/libraries").asText().contains("Chronicle Queue 2026"), doc.at("/environment").toString());
        assertTrue(doc.at("/measurements/1/summary/msgsPerSec").isNumber(), "throughput measured");
        // the C program's CPU per message beside Java's, so the Java tax shows in CPU as well as in time
        for (JsonNode m : doc.get("measurements")) {
            assertTrue(m.at("/baseline/cpu/runnerUsPerMsg").asDouble() > 0 && m.at("/baseline/cpu/peerUsPerMsg").asDouble() > 0, m.toString());
        }

        // the schema is not a rubber stamp: the old spelling and an undocumented field are refused
        ObjectNode old = doc.deepCopy();
        ((com.fasterxml.jackson.databind.node.ArrayNode) old.with("config").withArray("modes")).set(0, TextNode.valueOf("LATENCY"));
        assertFalse(validate(old).isEmpty(), "config.modes LATENCY must not validate");
        ObjectNode extra = doc.deepCopy();
        ((ObjectNode) extra.get("measurements").get(0)).put("undocumented", 1);
        assertFalse(validate(extra).isEmpty(), "an undocumented field must not validate");
    }

    @Test
    void openLoopResultsWithRawLatencyAndRatesMatchTheSchema(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("open.json");
        CliTest.Run r = bench("--mode", "latency", "--repeat", "1", "--rate", "2000/s", "--baseline", "none", "-q", "--json", file.toString());
        assertEquals(0, r.exit(), r.all());
        JsonNode doc = JSON.readTree(file.toFile());
        assertEquals(Set.of(), validate(doc), doc.toString());
        JsonNode s = doc.at("/measurements/0/summary");
        assertTrue(s.get("rawLatency").isObject() && s.get("targetRate").asDouble() == 2000 && s.get("achievedRate").isNumber(), s.toString());
        assertEquals(2000.0, doc.at("/config/rate").asDouble());
    }

    @Test
    void jmhFormatAndHdrHistogramIntervalLogs(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("jmh.json");
        CliTest.Run r = bench("--mode", "both", "--repeat", "1", "--baseline", "none", "--placement", "unpinned", "-q", "--format", "jmh",
                "--json", file.toString(), "--hlog", dir.toString());
        assertEquals(0, r.exit(), r.all());
        JsonNode jmh = JSON.readTree(file.toFile());
        assertTrue(jmh.isArray() && jmh.size() == 2, jmh.toString());
        JsonNode lat = jmh.get(0);
        assertEquals("ipclab.pipe.latency", lat.get("benchmark").asText());
        assertEquals("avgt", lat.get("mode").asText());
        assertEquals("us/op", lat.at("/primaryMetric/scoreUnit").asText());
        assertEquals("64", lat.at("/params/size").asText());
        assertTrue(lat.at("/primaryMetric/scorePercentiles/99.0").isNumber());
        assertEquals("thrpt", jmh.get(1).get("mode").asText());

        Path log = dir.resolve("pipe-latency-64.hlog");
        assertTrue(Files.isRegularFile(log), "interval log written: " + log);
        HistogramLogReader reader = new HistogramLogReader(log.toFile());
        Histogram h = (Histogram) reader.nextIntervalHistogram();
        assertTrue(h != null && h.getTotalCount() > 0, "an interval histogram with the measured RTTs");
    }

    @Test
    void anUnknownFormatIsAOneLineUsageError() throws Exception {
        CliTest.assertUsageError(Ipc.run(Map.of(), "bench", "-m", "pipe", "--format", "nosuch"), "--format", "nosuch");
        CliTest.assertUsageError(Ipc.run(Map.of(), "bench", "-m", "pipe", "--format", "jmh"), "--format jmh", "--json");
    }

    /** Chronicle Queue's version in the results is the library's own (it once echoed ipclab's 0.1.0-SNAPSHOT). */
    @Test
    void chronicleParametersNameTheLibrarysOwnVersion() throws Exception {
        JsonNode doc = validJson("bench", "-m", "chronicle", "--sizes", "64", "--mode", "latency", "--count", "20",
                "--warmup", "0ms", "--repeat", "1", "--baseline", "none", "-q", "--json", "-");
        String expected = BuildInfo.mavenVersion("net.openhft", "chronicle-queue");
        assertFalse(expected.equals("absent") || expected.startsWith("0.1.0"), expected);
        assertEquals(expected, doc.at("/measurements/0/parameters/chronicleQueue").asText(), doc.at("/measurements/0/parameters").toString());
    }

    /** A fan-in row (per-client figures, the server's and clients' counters or why there are none) matches the schema too. */
    @Test
    void aFanInRunMatchesTheSchema() throws Exception {
        JsonNode doc = validJson("bench", "-m", "unix", "--clients", "2", "--sizes", "64", "--mode", "latency",
                "--duration", "500ms", "--warmup", "100ms", "--baseline", "none", "-q", "--json", "-");
        JsonNode row = doc.at("/measurements/0");
        assertEquals(2, row.at("/fanIn/clients").asInt(), row.toString());
        assertTrue(row.at("/counters/groups").size() > 0 || row.at("/parameters/counters").isTextual(), "counters, or why not: " + row);
    }
}
