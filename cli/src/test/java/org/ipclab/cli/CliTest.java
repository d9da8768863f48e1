package org.ipclab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The {@code ipc} command as a user runs it: a real process, real exit codes, real output. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CliTest {
    record Run(int exit, String out, String err) {
        String all() {
            return out + err;
        }
    }

    static Run ipc(String... args) throws IOException, InterruptedException {
        List<String> cmd = Ipc.command(args);
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "ipc " + String.join(" ", args) + " did not finish");
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    /** Exit code 2, one line on stderr that contains the expected words, no stack trace. */
    static void assertUsageError(Run r, String... words) {
        assertEquals(2, r.exit(), r.all());
        String firstLine = r.err().lines().findFirst().orElse("");
        for (String w : words) assertTrue(firstLine.contains(w), "'" + w + "' missing from: " + firstLine);
        assertFalse(r.all().contains("\tat "), "stack trace printed: " + r.all());
        assertFalse(r.all().contains("Exception"), "exception class shown: " + r.all());
    }

    @Test
    void listShowsTheMechanisms() throws Exception {
        Run r = ipc("list");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("tcp") && r.out().contains("unix"), r.out());
    }

    /**
     * Started with the flags {@code ipc.jar}'s manifest and the {@code ipc} script give it, listing prints
     * nothing on stderr: no JDK 24+ warning (native access, Unsafe) comes before a command's own first line.
     */
    @Test
    void describingTheMechanismsPrintsNothingOnStderr() throws Exception {
        Run r = ipc("list");
        assertEquals(0, r.exit(), r.all());
        assertEquals("", r.err());
    }

    @Test
    void badBenchInputIsRefusedBeforeAnythingRuns() throws Exception {
        assertUsageError(ipc("bench", "-m", "nope"), "unknown mechanism 'nope'", "tcp", "unix");
        assertUsageError(ipc("bench", "-m", "tcp", "--sizes", "0"), "size 0", "16");
        assertUsageError(ipc("bench", "-m", "tcp", "--sizes", "-5"), "size '-5'");
        assertUsageError(ipc("bench", "-m", "tcp", "--sizes", "abc"), "size 'abc'");
        assertUsageError(ipc("bench", "-m", "tcp", "--sizes", "2m"), "2097152", "1048576");
        assertUsageError(ipc("bench", "-m", "tcp", "--duration", "30"), "'30'", "needs a unit");
        assertUsageError(ipc("bench", "-m", "tcp", "--duration", "soon"), "'soon'");
        assertUsageError(ipc("bench", "-m", "tcp", "--mode", "fast"), "'fast'");
        assertUsageError(ipc("bench", "-m", "tcp", "--opt", "colour=red"), "'colour'");
        assertUsageError(ipc("bench", "--bogus"), "--bogus");
    }

    @Test
    void aPortInUseIsAUsageErrorNamingThePort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String port = Integer.toString(taken.getLocalPort());
            assertUsageError(ipc("bench", "-m", "tcp", "--port", port, "--sizes", "64", "--duration", "100ms"), "port " + port, "in use");
        }
    }

    @Test
    void unixSocketPathsThatCannotWorkAreRefused(@TempDir Path dir) throws Exception {
        String tooLong = dir.resolve("x".repeat(120)).toString();
        assertUsageError(ipc("bench", "-m", "unix", "--path", tooLong, "--sizes", "64"), "107");
        Path regular = Files.writeString(dir.resolve("not-a-socket"), "data");
        assertUsageError(ipc("bench", "-m", "unix", "--path", regular.toString(), "--sizes", "64"), "not a socket");
        assertEquals("data", Files.readString(regular), "the user's file must be left alone");
    }

    @Test
    void benchGivesCompleteResultsAndWritesJsonAndCsv(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("r.json");
        Path csv = dir.resolve("r.csv");
        Run r = ipc("bench", "-m", "tcp", "--sizes", "64", "--duration", "100ms", "--warmup", "50ms",
                "--json", json.toString(), "--csv", csv.toString(), "-q");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("Latency") && r.out().contains("Throughput"), r.out());
        assertTrue(Files.readString(json).contains("\"p99Us\""));
        // Without --pin or --placement: each mode under both placements, each row saying which.
        List<String> rows = Files.readAllLines(csv);
        boolean twoCpus = Runtime.getRuntime().availableProcessors() >= 2;
        assertEquals(1 + 2 * (twoCpus ? 2 : 1), rows.size(), String.join("\n", rows));
        assertTrue(rows.stream().anyMatch(l -> l.contains("same-cpu")), String.join("\n", rows));
        if (twoCpus) assertTrue(rows.stream().anyMatch(l -> l.contains("cross-cpu")), String.join("\n", rows));
    }

    @Test
    void cleanRemovesOnlyLeftoversOfDeadCreators(@TempDir Path dir) throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Path stale = Files.createDirectory(tmp.resolve("ipclab-" + gone.pid() + "-test-stale"));
        Files.writeString(stale.resolve("fifo-or-socket"), "");
        Path live = Files.createDirectory(tmp.resolve("ipclab-" + ProcessHandle.current().pid() + "-test-live"));
        try {
            Run r = ipc("clean");
            assertEquals(0, r.exit(), r.all());
            assertTrue(r.out().contains("removed directory " + stale), r.out());
            assertFalse(Files.exists(stale));
            assertTrue(Files.exists(live), "a live creator's object must stay");
        } finally {
            Files.deleteIfExists(live);
        }
    }

    @Test
    void serveAndConnectTalkAcrossTwoProcesses(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("echo.sock");
        List<String> cmd = Ipc.command("serve", "-m", "unix", "--path", socket.toString(), "--once");
        Process server = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!Files.exists(socket) && System.nanoTime() < deadline) Thread.sleep(20);
            Run r = ipc("connect", "-m", "unix", "--path", socket.toString(), "hello", "world");
            assertEquals(0, r.exit(), r.all());
            assertEquals(List.of("hello", "world"), r.out().lines().toList());
            assertTrue(server.waitFor(20, TimeUnit.SECONDS), "serve --once did not exit after its client left");
            assertEquals(0, server.exitValue());
            assertFalse(Files.exists(socket), "serve must remove its socket file");
        } finally {
            server.destroyForcibly();
        }
    }

    @Test
    void benchConnectMeasuresAgainstAServeElsewhere() throws Exception {
        List<String> cmd = Ipc.command("serve", "-m", "tcp", "--port", "0", "--once");
        Process server = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String first = new java.io.BufferedReader(new java.io.InputStreamReader(server.getInputStream())).readLine();
            java.util.regex.Matcher port = java.util.regex.Pattern.compile("port=(\\d+)").matcher(first);
            assertTrue(port.find(), first);
            Run r = ipc("bench", "-m", "tcp", "--connect", "127.0.0.1:" + port.group(1), "--sizes", "64",
                    "--duration", "100ms", "--warmup", "50ms", "-q");
            assertEquals(0, r.exit(), r.all());
            assertTrue(r.out().contains("server=127.0.0.1:" + port.group(1)), r.out());
            assertTrue(r.out().matches("(?s).*tcp\\s+64 B.*tcp\\s+64 B.*"), "a latency and a throughput row: " + r.out());
            assertTrue(server.waitFor(20, TimeUnit.SECONDS), "serve --once exits after the benchmark's STOP");
        } finally {
            server.destroyForcibly();
        }
    }

    @Test
    void connectWithNobodyListeningIsAClearFailure(@TempDir Path dir) throws Exception {
        Run r = ipc("connect", "-m", "unix", "--path", dir.resolve("nobody.sock").toString(), "hi");
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.err().contains("no such socket file"), r.err());
    }
}
