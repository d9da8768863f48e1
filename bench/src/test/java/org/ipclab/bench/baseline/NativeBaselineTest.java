package org.ipclab.bench.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.ipclab.bench.Results;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Builds ipclab-native from the shipped sources into a temporary cache and runs every mechanism
 * briefly (50 ms warm-up, 200 ms measured) in both modes: the JSON must parse, name what was
 * asked, count messages, and show no loss, reordering or corruption (udp may lose). Each test also
 * checks that no ipclab-<pid>-native-* object is left in /tmp, /dev/shm or the SysV queue table.
 * No timing is asserted: the figures are for `ipc bench`, not for tests.
 */
class NativeBaselineTest {
    private static final Duration WARMUP = Duration.ofMillis(50);
    private static final Duration DURATION = Duration.ofMillis(200);
    private static final Pattern OURS = Pattern.compile("(sem\\.)?ipclab-\\d+-native-.*");

    @TempDir
    static Path cache;
    private static NativeBaseline baseline;
    private Set<String> before;

    @BeforeAll
    static void build() {
        assumeTrue(NativeBaseline.findCompiler().isPresent(), "no C compiler here: the native baseline is skipped");
        List<String> notes = new ArrayList<>();
        baseline = NativeBaseline.prepare(cache, notes::add)
                .orElseThrow(() -> new AssertionError("the native baseline did not build: " + notes));
        assertTrue(notes.isEmpty(), notes::toString);
    }

    @BeforeEach
    void snapshot() throws IOException {
        before = leftovers();
    }

    @AfterEach
    void nothingLeftBehind() throws IOException {
        Set<String> after = leftovers();
        after.removeAll(before);
        assertTrue(after.isEmpty(), "left behind: " + after);
    }

    private static List<String> programs() {
        try {
            return baseline.programs();
        } catch (IOException e) {
            throw new AssertionError("the binary did not list its programs", e);
        }
    }

    static Stream<Arguments> runs() {
        List<Arguments> runs = new ArrayList<>();
        for (String m : programs())
            for (String mode : List.of("latency", "throughput"))
                runs.add(Arguments.of(m, mode, m.equals("signal") ? 8 : 64));
        runs.add(Arguments.of("signal", "latency", 4));
        runs.add(Arguments.of("pipe", "throughput", 65536));
        runs.add(Arguments.of("shm-spin", "latency", 4096));
        // The shm ring at its other extreme: 1 MiB records wrap the 4 MiB ring at a new offset every
        // lap (headers everywhere, payloads split anywhere), and the peer checks every byte with the
        // folding CRC32C; an odd size pads every record.
        for (String mode : List.of("latency", "throughput")) {
            runs.add(Arguments.of("shm-spin", mode, 1 << 20));
            runs.add(Arguments.of("shm-semaphore", mode, 1 << 20));
        }
        runs.add(Arguments.of("shm-spin", "throughput", 1001));
        runs.add(Arguments.of("shm-header", "throughput", 1 << 20));
        return runs.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2} B")
    @MethodSource("runs")
    void measuresWithoutLoss(String mechanism, String mode, int size) throws IOException {
        NativeResult r = baseline.run(mechanism, mode, size, WARMUP, DURATION);
        assertEquals(mechanism, r.mechanism());
        assertEquals(mode, r.mode());
        assertEquals(size, r.size());
        assertTrue(r.count() > 0, () -> "no message measured: " + r.json());
        assertTrue(r.sent() > 0 && r.received() > 0, r::json);
        assertEquals(0, r.corrupt(), r::json);
        assertEquals(0, r.reordered(), r::json);
        if (!mechanism.equals("udp")) assertEquals(0, r.lost(), r::json);
        assertEquals(r.sent(), r.received() + r.lost(), r::json);
        assertTrue(r.integrityOk(!mechanism.equals("udp")), r::json);
        assertTrue(r.msgsPerSecond() > 0 && r.mbPerSecond() > 0 && r.elapsedSeconds() > 0, r::json);
        if (mode.equals("latency")) {
            assertEquals(r.count(), r.received(), r::json);
            assertTrue(r.p50Us() > 0, r::json);
            assertTrue(r.p50Us() <= r.p90Us() && r.p90Us() <= r.p99Us() && r.p99Us() <= r.p999Us()
                    && r.p999Us() <= r.maxUs() && r.meanUs() <= r.maxUs(), r::json);
        } else {
            assertTrue(Double.isNaN(r.p50Us()) && Double.isNaN(r.maxUs()), r::json);
        }
        assertFalse(r.params().isEmpty(), r::json);
    }

    /**
     * The kernel's own count, not a timing: a pipe round trip is one writev and one read in each
     * process; spinning shared memory makes no system call at all. Where perf cannot count, the
     * figure must say why instead of being 0.
     */
    @Test
    void kernelCountersSeeOneWriteAndOneReadPerProcessForAPipeAndNoneForSpinningShm() throws IOException {
        NativeResult pipe = baseline.run("pipe", "latency", 64, WARMUP, DURATION);
        NativeResult shm = baseline.run("shm-header", "latency", 64, WARMUP, DURATION);
        assertNotNull(pipe.counters(), pipe::json);
        for (String role : List.of("runner", "peer")) {
            Results.CounterGroup g = pipe.counters().group(role, "work");
            assertNotNull(g, pipe::json);
            Results.Figure sys = g.figures().get("syscalls");
            if (pipe.counters().perf() != null) {
                assertNull(sys.total(), pipe::json);
                assertFalse(sys.unavailable().isBlank(), pipe::json);
            } else {
                assertEquals(2.0, sys.perMessage(), 0.05, pipe::json);
                // none per message: a handful in all (the sample array growing, the counters switched off)
                long shmCalls = shm.counters().group(role, "work").figures().get("syscalls").total();
                assertTrue(shmCalls <= 32, shm::json);
            }
            Results.Figure syscw = g.figures().get("syscw");
            if (syscw.total() != null) assertEquals(1.0, syscw.perMessage(), 0.05, pipe::json); // the writev
            assertFalse(g.cpusAllowed() == null || g.cpusAllowed().isBlank(), pipe::json);
        }
    }

    /**
     * A lossy mechanism bounds each wait for an echo (a lost datagram must not hang the run), and the
     * bound costs no call of its own: the udp runner's receive is one recv under SO_RCVTIMEO, not a
     * poll and then a recv, so its round trip is one send and one recv as on Java's FFM route.
     */
    @Test
    void udpRunnerBoundsItsWaitWithoutAnExtraSystemCall() throws IOException {
        NativeResult udp = baseline.run("udp", "latency", 64, WARMUP, DURATION);
        assertNotNull(udp.counters(), udp::json);
        assumeTrue(udp.counters().perf() == null, "perf cannot count system calls here: " + udp.counters().perf());
        for (String role : List.of("runner", "peer")) {
            Results.Figure sys = udp.counters().group(role, "work").figures().get("syscalls");
            assertEquals(2.0, sys.perMessage(), 0.05, udp::json);
        }
        assertEquals(0, udp.lost(), udp::json);
    }

    /** Open loop: every scheduled probe is sent and echoed, and latency is measured from the schedule. */
    @Test
    void openLoopSendsOnScheduleAndLosesNothing() throws IOException {
        NativeResult r = baseline.run("pipe", "latency", 64, WARMUP, DURATION, 2_000);
        assertEquals(r.sent(), r.received(), r::json);
        assertEquals(0, r.lost() + r.corrupt() + r.reordered(), r::json);
        assertEquals(Math.max(1, DURATION.toNanos() / 500_000), r.sent(), r::json); // rate x duration, no more, no fewer
        assertTrue(r.p50Us() > 0 && r.p50Us() <= r.p99Us(), r::json);
        assertTrue(r.json().contains("\"target_rate\":2000.000"), r::json);
        IOException signal = assertThrows(IOException.class, () -> baseline.run("signal", "latency", 8, WARMUP, DURATION, 100));
        assertTrue(signal.getMessage().contains("open-loop rate needs"), signal.getMessage());
    }

    @Test
    void refusesSizesTheMechanismCannotCarry() {
        IOException mq = assertThrows(IOException.class, () -> baseline.run("mqueue", "latency", 9000, WARMUP, DURATION));
        assertTrue(mq.getMessage().contains("over the mqueue limit of"), mq.getMessage());
        IOException sig = assertThrows(IOException.class, () -> baseline.run("signal", "latency", 64, WARMUP, DURATION));
        assertTrue(sig.getMessage().contains("one si_value"), sig.getMessage());
        IOException tiny = assertThrows(IOException.class, () -> baseline.run("pipe", "latency", 8, WARMUP, DURATION));
        assertTrue(tiny.getMessage().contains("below the probe header"), tiny.getMessage());
        assertThrows(IllegalArgumentException.class, () -> baseline.run("chronicle", "latency", 64, WARMUP, DURATION));
        assertThrows(IllegalArgumentException.class, () -> baseline.run("pipe", "sideways", 64, WARMUP, DURATION));
    }

    @Test
    void programRejectsBadArgumentsWithExitTwo() throws Exception {
        for (List<String> args : List.of(List.of("pipe", "latency", "64k", "0", "10"), List.of("nope", "latency", "64", "0", "10"),
                List.of("pipe"), List.of("udp", "latency", "70000", "0", "10"))) {
            List<String> cmd = new ArrayList<>(List.of(baseline.binary().toString()));
            cmd.addAll(args);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            assertEquals(2, p.exitValue(), out);
            assertTrue(out.startsWith("ipclab-native"), out);
        }
    }

    /** SIGTERM mid-run (what NativeBaseline does on a timeout): exit 143, peer gone, objects removed. */
    @ParameterizedTest
    @MethodSource("interruptible")
    void terminatedRunRemovesItsObjects(String mechanism, @TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("out.txt"); // destroy() closes the pipes: keep the output in a file
        Process p = new ProcessBuilder(baseline.binary().toString(), mechanism, "latency", mechanism.equals("signal") ? "8" : "64", "0", "20000")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Thread.sleep(400);
        List<ProcessHandle> peers = p.children().toList();
        assertEquals(1, peers.size(), () -> "the runner should have forked one peer; it said: " + read(log));
        p.destroy();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        String out = read(log);
        assertEquals(143, p.exitValue(), out);
        assertTrue(out.contains("kernel objects removed"), out);
        peers.get(0).onExit().get(10, TimeUnit.SECONDS);
    }

    static Stream<String> interruptible() {
        return Stream.of("fifo", "unix", "shm-semaphore", "mqueue", "sysv-mqueue", "signal");
    }

    /** The peer dying mid-run ends the run at once with a one-line error, through NativeBaseline. */
    @Test
    void peerDeathIsAnErrorNotAHang() throws Exception {
        CompletableFuture<NativeResult> run = CompletableFuture.supplyAsync(() -> {
            try {
                return baseline.run("shm-semaphore", "latency", 64, Duration.ZERO, Duration.ofSeconds(20));
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        });
        ProcessHandle peer = null;
        for (int i = 0; i < 100 && peer == null; i++) {
            Thread.sleep(50);
            peer = ProcessHandle.current().descendants()
                    .filter(h -> h.parent().flatMap(ProcessHandle::parent).map(ProcessHandle.current()::equals).orElse(false))
                    .filter(h -> h.info().command().map(c -> c.endsWith(NativeBaseline.BINARY)).orElse(false))
                    .findFirst().orElse(null);
        }
        assertTrue(peer != null, "no forked peer found");
        peer.destroyForcibly();
        ExecutionException e = assertThrows(ExecutionException.class, () -> run.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof IOException && e.getCause().getMessage().contains("peer died from signal 9"),
                () -> String.valueOf(e.getCause()));
    }

    /** Killing the runner outright takes the peer with it (PR_SET_PDEATHSIG). */
    @Test
    void peerDiesWithItsRunner() throws Exception {
        Process p = new ProcessBuilder(baseline.binary().toString(), "pipe", "latency", "64", "0", "20000")
                .redirectErrorStream(true).start();
        Thread.sleep(400);
        List<ProcessHandle> peers = p.children().toList();
        assertEquals(1, peers.size());
        p.destroyForcibly();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        peers.get(0).onExit().get(10, TimeUnit.SECONDS);
        assertFalse(peers.get(0).isAlive());
    }

    @Test
    void cachedBuildIsReusedAndSourceChangeRebuilds() throws IOException {
        Path again = NativeBaseline.build(baseline.compiler(), cache).binary();
        assertEquals(baseline.binary(), again);
        List<byte[]> sources = new ArrayList<>();
        for (String s : NativeBaseline.SOURCES) sources.add(Files.readAllBytes(baseline.binary().resolveSibling(s)));
        String digest = NativeBaseline.digest(baseline.compiler(), sources);
        assertEquals(baseline.binary().getParent().getFileName().toString(), digest);
        sources.set(1, (new String(sources.get(1), StandardCharsets.UTF_8) + "\n").getBytes(StandardCharsets.UTF_8));
        assertNotEquals(digest, NativeBaseline.digest(baseline.compiler(), sources));
    }

    @Test
    void aFailingCompilerGivesAOneLineReason(@TempDir Path other) throws IOException {
        Path fake = other.resolve("cc");
        Files.writeString(fake, "#!/bin/sh\necho 'fake.c:1: error: no compiler here' >&2\nexit 1\n");
        assertTrue(fake.toFile().setExecutable(true));
        IOException e = assertThrows(IOException.class, () -> NativeBaseline.build(fake, other.resolve("cache")));
        assertTrue(e.getMessage().contains("error: no compiler here") && !e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void parseRefusesWhatIsNotTheResultLine() {
        assertThrows(IllegalArgumentException.class, () -> NativeResult.parse("Segmentation fault"));
        assertThrows(IllegalArgumentException.class, () -> NativeResult.parse("{\"mechanism\":\"pipe\"}"));
        assertThrows(IllegalArgumentException.class, () -> NativeResult.parse("{\"mechanism\":\"pipe\",}"));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** Our objects: /tmp and /dev/shm entries named ipclab-<pid>-native-*, and SysV queues of ours. */
    private static Set<String> leftovers() throws IOException {
        Set<String> found = new HashSet<>();
        for (Path dir : List.of(Paths.get("/tmp"), Paths.get("/dev/shm"))) {
            try (Stream<Path> s = Files.list(dir)) {
                s.map(p -> p.getFileName().toString()).filter(n -> OURS.matcher(n).matches()).forEach(found::add);
            }
        }
        // SysV queues have no name: count the ones with mode 600 owned by us (msqid is unique per queue)
        Path msg = Paths.get("/proc/sysvipc/msg");
        if (Files.isReadable(msg)) {
            for (String line : Files.readAllLines(msg).stream().skip(1).toList()) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 2 && f[0].equals("0") && f[2].equals("600")) found.add("sysv-msqid-" + f[1]);
            }
        }
        return found;
    }
}
