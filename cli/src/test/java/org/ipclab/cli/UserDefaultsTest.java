package org.ipclab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Defaults from ~/.config/ipclab/ipc.properties and IPCLAB_* variables, and their sources in the results. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UserDefaultsTest {
    @Test
    void environmentBeatsFileBeatsBuiltInAndTheCommandLineBeatsAll(@TempDir Path home) throws Exception {
        Path file = Files.createDirectories(home.resolve(".config/ipclab")).resolve("ipc.properties");
        Files.writeString(file, "bench.duration = 120ms\nbench.warmup=40ms\nbench.repeat=5\nbench.baseline=none\n");
        CliTest.Run r = Ipc.run(Map.of("XDG_CONFIG_HOME", home.resolve(".config").toString(), "IPCLAB_BENCH_REPEAT", "1"),
                "bench", "-m", "pipe", "--sizes", "64", "--mode", "latency", "--warmup", "30ms", "-q", "--json", "-");
        assertEquals(0, r.exit(), r.all());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertEquals("PT0.12S", doc.at("/config/duration").asText());
        assertEquals(1, doc.at("/config/repeat").asInt(), "the variable beats the file's 5");
        assertEquals("PT0.03S", doc.at("/config/warmup").asText(), "the command line beats the file");
        assertEquals("file " + file + " (bench.duration)", doc.at("/settings/duration/source").asText());
        assertEquals("env IPCLAB_BENCH_REPEAT", doc.at("/settings/repeat/source").asText());
        assertEquals("command line", doc.at("/settings/warmup/source").asText());
        assertEquals("default", doc.at("/settings/timeout/source").asText());
        assertEquals("none", doc.at("/settings/baseline/value").asText());
    }

    @Test
    void aBadValueFromTheEnvironmentIsAUsageError() throws Exception {
        CliTest.assertUsageError(Ipc.run(Map.of("IPCLAB_BENCH_MODE", "fast"), "bench", "-m", "pipe"), "'fast'");
    }
}
