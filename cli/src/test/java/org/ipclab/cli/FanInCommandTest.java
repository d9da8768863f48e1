package org.ipclab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code ipc bench --clients N} as a user runs it: real processes, real exit codes; no figure is asserted. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FanInCommandTest {
    @BeforeAll
    static void schema() throws Exception {
        ResultsSchemaTest.loadSchema();
    }

    @Test
    void badCountsAreRefusedBeforeAnythingStarts() throws Exception {
        CliTest.assertUsageError(CliTest.ipc("bench", "-m", "unix", "--clients", "0"), "--clients 0", "at least 1");
        CliTest.assertUsageError(CliTest.ipc("bench", "-m", "unix", "--clients", "x"), "--clients 'x'", "whole number");
        CliTest.assertUsageError(CliTest.ipc("bench", "-m", "unix", "--clients", "4,"), "--clients ''");
        CliTest.assertUsageError(CliTest.ipc("bench", "-m", "unix", "--clients", "4", "--rate", "1000"), "--clients", "--rate");
    }

    @Test
    void clientJvmFlagsThatNoClientCouldStartWithAreRefusedBeforeAnythingStarts() throws Exception {
        CliTest.assertUsageError(CliTest.ipc("bench", "-m", "unix", "--clients", "2", "--client-jvm", "-XX:+UseSerialGC Main"),
                "--client-jvm", "'Main' is not a JVM flag");
        CliTest.assertUsageError(CliTest.ipc("bench", "-m", "unix", "--clients", "2", "--client-jvm", "-XX:+NoSuchFlagAnywhere"),
                "--client-jvm '-XX:+NoSuchFlagAnywhere'", "will not start", "NoSuchFlagAnywhere");
        CliTest.assertUsageError(CliTest.ipc("bench", "-m", "unix", "--client-jvm", "-XX:+UseSerialGC"), "--client-jvm", "--clients");
    }

    @Test
    void aCountOverTheMachinesLimitNamesTheLimit() throws Exception {
        // 4 descriptors per client: a million clients is over any RLIMIT_NOFILE this suite runs under.
        CliTest.assertUsageError(CliTest.ipc("bench", "-m", "unix", "--clients", "1000000"), "--clients 1000000", "RLIMIT_NOFILE");
    }

    @Test
    void aFifoFanInWhoseFrameWouldPassPipeBufIsRefusedInOneLine() throws Exception {
        // 4093 bytes + the 4-byte header: over PIPE_BUF, the most one write(2) keeps whole among N writers.
        CliTest.assertUsageError(CliTest.ipc("bench", "-m", "fifo", "--clients", "2", "--sizes", "64,4093"),
                "--sizes 4093", "at most 4092 bytes", "PIPE_BUF = 4096");
    }

    @Test
    void aMechanismThatCannotFanInIsSkippedWithTheReasonItsDescriptionGives() throws Exception {
        CliTest.Run r = Ipc.run(Map.of(), "bench", "-m", "pipe", "--clients", "2", "--sizes", "64", "--duration", "100ms",
                "--warmup", "50ms", "--repeat", "1", "--baseline", "none", "-q");
        assertTrue(r.all().contains("pipe: skipped for --clients: only a parent and the child it starts"), r.all());
        assertEquals(ExitCodes.FAILURE, r.exit(), "nothing was measured: " + r.all());
    }

    @Test
    void anInterruptedFanInKillsItsClientsAndLeavesNothingBehind(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path json = dir.resolve("fan-in.json");
        java.util.List<String> cmd = Ipc.command(
                "bench", "-m", "unix", "--clients", "3", "--sizes", "64", "--mode", "throughput", "--duration", "60s",
                "--warmup", "50ms", "--repeat", "1", "--baseline", "none", "-q", "--json", json.toString());
        Process bench = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            java.util.List<ProcessHandle> clients = java.util.List.of();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (clients.size() < 3 && System.nanoTime() < until && bench.isAlive()) {
                Thread.sleep(200);
                clients = bench.children().toList(); // with --baseline none, its only children are the clients
            }
            assertEquals(3, clients.size(), "three client processes started");
            Thread.sleep(1500); // into the measured window
            for (ProcessHandle c : clients) {
                // the client's own command line (by now exec'd: it has been warming up)
                String args = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(c.pid()), "cmdline")).replace('\0', ' ');
                assertTrue(args.contains(" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 "), "the lighter client JVM by default: " + args);
            }
            bench.destroy(); // SIGTERM: the same exit path as Ctrl-C
            assertTrue(bench.waitFor(60, TimeUnit.SECONDS), "ipc bench exited");
            for (ProcessHandle c : clients) {
                c.onExit().get(10, TimeUnit.SECONDS);
                assertTrue(!c.isAlive(), "client " + c.pid() + " is gone");
            }
            String mine = "ipclab-" + bench.pid() + "-";
            try (java.util.stream.Stream<java.nio.file.Path> tmp = java.nio.file.Files.list(java.nio.file.Path.of("/tmp"))) {
                assertEquals(java.util.List.of(), tmp.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(mine)).toList());
            }
            JsonNode saved = ResultsSchemaTest.JSON.readTree(json.toFile());
            assertTrue(saved.path("partial").asBoolean(), saved.toString());
        } finally {
            bench.destroyForcibly();
        }
    }

    @Test
    void aSweepWritesPerClientFiguresThatMatchTheSchema() throws Exception {
        CliTest.Run r = Ipc.run(Map.of(), "bench", "-m", "unix", "--clients", "1,3", "--sizes", "64", "--mode", "throughput",
                "--duration", "150ms", "--warmup", "50ms", "--repeat", "1", "--baseline", "none", "-q", "--json", "-");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.err().contains("Fan-in: N client processes against one server end"), r.err());
        JsonNode doc = ResultsSchemaTest.JSON.readTree(r.out());
        assertEquals(Set.of(), ResultsSchemaTest.validate(doc), r.out());
        assertEquals(2, doc.get("measurements").size());
        assertTrue(doc.at("/measurements/1/parameters/client jvm").asText().startsWith("-XX:+UseSerialGC -XX:TieredStopAtLevel=1"), r.out());
        JsonNode three = doc.at("/measurements/1/fanIn");
        assertEquals(3, three.get("clients").asInt());
        assertEquals(3, three.get("finished").asInt());
        for (JsonNode c : three.get("perClient")) {
            assertEquals("ok", c.get("status").asText(), c.toString());
            assertEquals(c.at("/integrity/sent").asLong(), c.at("/integrity/received").asLong(), c.toString());
        }
        assertTrue(three.at("/fairness/minShare").asDouble() <= three.at("/fairness/maxShare").asDouble());
    }
}
