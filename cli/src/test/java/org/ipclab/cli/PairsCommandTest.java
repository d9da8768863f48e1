package org.ipclab.cli;

import static org.ipclab.cli.CliTest.assertUsageError;
import static org.ipclab.cli.CliTest.ipc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ipc bench --pairs / --background as a user types them: bad input, the machine's limits, the results, Ctrl-C. */
class PairsCommandTest {
    @Test
    void badPairCountsAreOneLineUsageErrors() throws Exception {
        assertUsageError(ipc("bench", "-m", "unix", "--pairs", "0"), "--pairs '0'", "1 to");
        assertUsageError(ipc("bench", "-m", "unix", "--pairs", "x"), "--pairs 'x'", "not a whole number");
        assertUsageError(ipc("bench", "-m", "unix", "--background", "cpu:x"), "--background 'cpu:x'");
    }

    @Test
    void morePairsThanTheFileDescriptorLimitHoldsAreRefusedNamingTheLimit() throws Exception {
        CliTest.Run r = Ipc.run(Map.of(), List.of("ulimit -n 256"), "bench", "-m", "unix", "--pairs", "200", "--sizes", "64",
                "--baseline", "none", "-q");
        assertUsageError(r, "--pairs 200", "RLIMIT_NOFILE", "256");
    }

    @Test
    void aSweepWritesOneRowPerPairCountThatTheSchemaAccepts(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("pairs.json");
        CliTest.Run r = ipc("bench", "-m", "unix", "--pairs", "1,2", "--sizes", "64", "--mode", "latency", "--warmup", "50ms",
                "--duration", "150ms", "--repeat", "1", "--baseline", "none", "--no-counters", "-q", "--json", json.toString());
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("Scaling"), r.out());
        assertTrue(r.out().contains("unix ×2"), r.out());
        JsonNode doc = new ObjectMapper().readTree(json.toFile());
        ResultsSchemaTest.loadSchema();
        assertEquals(2, doc.get("measurements").size());
        assertEquals(2, doc.get("measurements").get(1).get("pairs").get("perPair").size());
        assertTrue(ResultsSchemaTest.validate(doc).isEmpty(), ResultsSchemaTest.validate(doc).toString());
    }

    @Test
    void ctrlCStopsThePairsAndTheBackgroundLoadAndLeavesNothing() throws Exception {
        List<String> cmd = Ipc.command(
                "bench", "-m", "unix", "--pairs", "2", "--background", "cpu:1", "--sizes", "64", "--mode", "latency",
                "--warmup", "50ms", "--duration", "20s", "--repeat", "1", "--baseline", "none", "--no-counters", "-q");
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<ProcessHandle> children = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && p.isAlive()) { // the spinner and both peers are running
            children = p.toHandle().descendants().toList();
            if (children.size() >= 3) break;
            Thread.sleep(100);
        }
        assertTrue(children.size() >= 3, "spinner and two peers started: " + children);
        Thread.sleep(500);
        new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "ipc bench did not stop on SIGINT");
        for (ProcessHandle c : children) {
            assertTrue(c.onExit().completeOnTimeout(c, 10, TimeUnit.SECONDS).join().isAlive() == false, "still running: " + c.pid()
                    + " " + c.info().commandLine().orElse(""));
        }
        String mine = "ipclab-" + p.pid() + "-";
        for (Path d : List.of(Path.of(System.getProperty("java.io.tmpdir")), Path.of("/dev/shm"))) {
            if (!Files.isDirectory(d)) continue;
            try (Stream<Path> s = Files.list(d)) {
                assertEquals(List.of(), s.map(x -> x.getFileName().toString()).filter(n -> n.startsWith(mine)).toList(), "left in " + d);
            }
        }
        assertFalse(p.isAlive());
    }

}
