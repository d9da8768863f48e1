package org.ipclab.bench.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The C fan-in (IPCLAB_CLIENTS): real forked clients against one server; integrity only, no figure asserted. */
class NativeFanInTest {
    private static final Duration WARMUP = Duration.ofMillis(50);
    private static final Duration DURATION = Duration.ofMillis(200);

    @TempDir
    static Path cache;
    private static NativeBaseline baseline;

    @BeforeAll
    static void build() {
        assumeTrue(NativeBaseline.findCompiler().isPresent(), "no C compiler here: the native baseline is skipped");
        List<String> notes = new ArrayList<>();
        baseline = NativeBaseline.prepare(cache, notes::add)
                .orElseThrow(() -> new AssertionError("the native baseline did not build: " + notes));
    }

    private static void clean(NativeResult r, String mode) {
        assertEquals(mode, r.mode());
        assertTrue(r.integrityOk(true), r.json());
        assertEquals(r.sent(), r.received(), r.json());
        assertTrue(r.msgsPerSecond() > 0, r.json());
        assertTrue(r.json().contains("\"clients\":"), r.json());
        // the clients' CPU over their windows and the server's over the common one: present, not a timing
        assertNotNull(r.cpu().peerUsPerMsg(), r.json());
        assertTrue(r.cpu().peerUsPerMsg() > 0, r.json());
        assertNotNull(r.cpu().runnerUsPerMsg(), r.json());
    }

    /**
     * The kernel's counters of a C fan-in row: the server's working threads over the common window,
     * the clients' over their own, each read by the thread itself. A thread's time on a CPU plus its
     * time waiting for one cannot pass the wall-clock time it counted over: N clients' sum is held to
     * N windows, the server's (one thread per client, or one reader) to N + 1.
     */
    private static void counted(NativeResult r, int clients, boolean sessions) {
        org.ipclab.bench.Results.Counters c = r.counters();
        assertNotNull(c, r.json());
        double window = (DURATION.toNanos() + 50_000_000L) * 1.1; // a client's window ends at its first message after --duration
        for (String role : List.of("runner", "peer")) {
            org.ipclab.bench.Results.CounterGroup g = c.group(role, "work");
            assertNotNull(g, role + ": " + r.json());
            long run = g.figures().get("run_ns").total(), wait = g.figures().get("wait_ns").total();
            long switches = g.figures().get("ctx_voluntary").total() + g.figures().get("ctx_involuntary").total();
            assertTrue(run > 0 && wait >= 0 && switches > 0, role + ": " + r.json());
            int threads = role.equals("peer") || sessions ? clients : 1;
            assertTrue(run + wait <= threads * window, role + ": " + (run + wait) + " ns on or waiting for a CPU in " + threads
                    + " windows of " + DURATION.toMillis() + " ms: " + r.json());
        }
        assertNotNull(c.perf(), "no perf on fan-in rows, and the row says why");
    }

    @Test
    void fourClientsOnAStreamSocketAndSixtyFourOnAQueueKeepIntegrityAndLeaveNothing() throws IOException {
        List<String> before = ours();
        NativeResult unix = baseline.runFanIn("unix", "latency", 64, WARMUP, DURATION, 4);
        clean(unix, "latency");
        counted(unix, 4, true);
        NativeResult tcp = baseline.runFanIn("tcp", "throughput", 64, WARMUP, DURATION, 4);
        clean(tcp, "throughput");
        counted(tcp, 4, true);
        NativeResult mqueue = baseline.runFanIn("mqueue", "throughput", 64, WARMUP, DURATION, 64);
        clean(mqueue, "throughput");
        counted(mqueue, 64, false);
        assertEquals(before, ours(), "the C fan-in removed what it created");
    }

    @Test
    void sixteenWritersIntoOneSystemVQueueKeepIntegrityAndTheQueueIsRemoved() throws IOException {
        NativeResult r = baseline.runFanIn("sysv-mqueue", "throughput", 64, WARMUP, DURATION, 16);
        clean(r, "throughput");
        java.util.regex.Matcher id = java.util.regex.Pattern.compile("msqid=(\\d+)").matcher(r.json());
        assertTrue(id.find(), r.json());
        int msqid = Integer.parseInt(id.group(1));
        assertTrue(Files.readAllLines(Path.of("/proc/sysvipc/msg")).stream().skip(1).map(String::trim).filter(l -> !l.isEmpty())
                .noneMatch(l -> Integer.parseInt(l.split("\\s+")[1]) == msqid), "msqid " + msqid + " is still in /proc/sysvipc/msg");
    }

    @Test
    void fourWritersIntoOneDatagramSocketUnixKeepsEverythingUdpCountsItsLoss() throws IOException {
        List<String> before = ours();
        NativeResult unix = baseline.runFanIn("unix-dgram", "throughput", 64, WARMUP, DURATION, 4);
        clean(unix, "throughput");
        assertTrue(unix.json().contains("one unconnected socket, 4 writers"), unix.json());
        NativeResult udp = baseline.runFanIn("udp", "throughput", 64, WARMUP, DURATION, 4);
        assertTrue(udp.integrityOk(false), udp.json());
        assertEquals(udp.sent() - udp.received(), udp.lost(), udp.json());
        assertTrue(udp.received() > 0 && udp.msgsPerSecond() > 0, udp.json());
        assertEquals(before, ours(), "the C fan-in removed its socket and directory");
    }

    @Test
    void threeWritersIntoOneFifoKeepIntegrityLeaveNothingAndAFrameOverPipeBufIsRefused() throws IOException {
        List<String> before = ours();
        NativeResult r = baseline.runFanIn("fifo", "throughput", 4092, WARMUP, DURATION, 3); // frame = PIPE_BUF
        clean(r, "throughput");
        counted(r, 3, false);
        assertTrue(r.json().contains("one FIFO, 3 writers"), r.json());
        assertEquals(before, ours(), "the C fan-in removed its FIFO and directory");
        IOException over = assertThrows(IOException.class, () -> baseline.runFanIn("fifo", "throughput", 4093, WARMUP, DURATION, 3));
        assertTrue(over.getMessage().contains("4097-byte frame, over PIPE_BUF = 4096"), over.getMessage());
        IOException latency = assertThrows(IOException.class, () -> baseline.runFanIn("fifo", "latency", 64, WARMUP, DURATION, 2));
        assertTrue(latency.getMessage().contains("throughput only"), latency.getMessage());
    }

    @Test
    void aQueueFanInHasNoLatencyAndAnUnbuiltMechanismSaysSo() {
        IOException latency = assertThrows(IOException.class, () -> baseline.runFanIn("mqueue", "latency", 64, WARMUP, DURATION, 2));
        assertTrue(latency.getMessage().contains("throughput only"), latency.getMessage());
        IOException none = assertThrows(IOException.class, () -> baseline.runFanIn("pipe", "throughput", 64, WARMUP, DURATION, 2));
        assertTrue(none.getMessage().contains("no C fan-in for pipe"), none.getMessage());
    }

    /**
     * Strangers who connect before the clients (anyone may reach 127.0.0.1; the same user the private
     * socket) take no client's place: each is closed and counted, and every forked client is served.
     * Accepting the first N connections would have served the strangers and refused two clients.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"tcp", "unix"})
    void strangersWhoConnectFirstTakeNoClientsPlace(String mechanism) throws Exception {
        List<String> before = ours();
        ProcessBuilder pb = new ProcessBuilder(baseline.binary().toString(), mechanism, "throughput", "64", "50", "200");
        pb.environment().put("IPCLAB_CLIENTS", "2");
        pb.environment().put("IPCLAB_NO_COUNTERS", "1");
        pb.environment().put("IPCLAB_FANIN_CLIENT_DELAY_MS", "2000");
        Process p = pb.redirectInput(ProcessBuilder.Redirect.PIPE).start();
        List<java.nio.channels.SocketChannel> strangers = new ArrayList<>();
        try {
            java.net.SocketAddress listening = listeningAddress(p.pid(), mechanism, Duration.ofSeconds(10));
            java.nio.channels.SocketChannel silent = java.nio.channels.SocketChannel.open(listening);
            java.nio.channels.SocketChannel garbage = java.nio.channels.SocketChannel.open(listening);
            try {
                garbage.write(java.nio.ByteBuffer.wrap("GET / HTTP/1.0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            } catch (IOException closedByTheServer) {
                // the server may already have accepted and closed it: that is what is tested
            }
            java.nio.channels.SocketChannel.open(listening).close(); // connects and leaves at once
            strangers.addAll(List.of(silent, garbage));
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "the C fan-in ended");
            assertEquals(0, p.exitValue(), out + err);
            NativeResult r = NativeResult.parse(out.strip());
            assertTrue(r.integrityOk(true), r.json());
            assertEquals(r.sent(), r.received(), r.json());
            assertTrue(r.json().contains("\"clients\":2") && r.json().contains("strangers-refused=3"), r.json());
        } finally {
            for (java.nio.channels.SocketChannel c : strangers) c.close();
            p.destroyForcibly().waitFor();
        }
        assertEquals(before, ours(), "the C fan-in removed its socket and directory");
    }

    /** The listening socket a process holds, found as ss(8) finds it: its descriptors' inodes in /proc/net/tcp or unix. */
    private static java.net.SocketAddress listeningAddress(long pid, String mechanism, Duration within) throws Exception {
        long until = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < until) {
            java.util.Set<String> inodes = new java.util.HashSet<>();
            try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
                for (Path fd : fds.toList()) {
                    try {
                        String link = Files.readSymbolicLink(fd).toString();
                        if (link.startsWith("socket:[")) inodes.add(link.substring(8, link.length() - 1));
                    } catch (IOException gone) {
                        // closed meanwhile
                    }
                }
            }
            if (mechanism.equals("tcp")) {
                for (String line : Files.readAllLines(Path.of("/proc/net/tcp"))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 9 && f[3].equals("0A") && inodes.contains(f[9])) { // 0A: TCP_LISTEN
                        int port = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
                        return new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port);
                    }
                }
            } else {
                for (String line : Files.readAllLines(Path.of("/proc/net/unix"))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 7 && f[3].equals("00010000") && inodes.contains(f[6])) { // __SO_ACCEPTCON: listening
                        return java.net.UnixDomainSocketAddress.of(f[7]);
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no listening " + mechanism + " socket in process " + pid + " within " + within);
    }

    /** ipclab-*-native-* entries in /tmp, /dev/shm and /dev/mqueue. */
    private static List<String> ours() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path dir : List.of(Path.of("/tmp"), Path.of("/dev/shm"), Path.of("/dev/mqueue"))) {
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> s = Files.list(dir)) {
                s.map(p -> p.getFileName().toString()).filter(n -> n.matches("ipclab-\\d+-native-.*")).sorted().forEach(found::add);
            }
        }
        return found;
    }
}
