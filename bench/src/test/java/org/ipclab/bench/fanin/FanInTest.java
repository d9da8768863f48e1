package org.ipclab.bench.fanin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.ipclab.bench.BenchConfig;
import org.ipclab.bench.Mode;
import org.ipclab.bench.Results;
import org.ipclab.bench.baseline.NativeBaseline;
import org.ipclab.core.Capability;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.Providers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real client processes against one real server end; no figure is asserted, only what each client got and lost. */
class FanInTest {
    private static BenchConfig cfg(String mechanism, Duration duration) {
        return new BenchConfig(List.of(mechanism), List.of(Mode.LATENCY, Mode.THROUGHPUT), List.of(64), Duration.ofMillis(100),
                duration, 0, 1, Duration.ofSeconds(10), Map.of(), 0);
    }

    private static Results.Measurement run(String mechanism, Mode mode, int clients, Duration duration, FanIn fanIn) {
        ChannelProvider p = Providers.get(mechanism);
        return fanIn.measure(p, ChannelSpec.of(mechanism), mode, 64, clients, cfg(mechanism, duration));
    }

    /** Every client finished, its own sequence numbers all arrived in order, and the shares add up. */
    static void assertEveryClientClean(Results.Measurement m, int clients, Mode mode) {
        assertEquals("ok", m.status(), m::toString);
        Results.FanIn f = m.fanIn();
        assertNotNull(f);
        assertEquals(clients, f.clients());
        assertEquals(clients, f.finished(), m::toString);
        assertEquals(clients, f.perClient().size());
        double shares = 0;
        long merged = 0;
        for (Results.ClientResult c : f.perClient()) {
            assertEquals("ok", c.status(), c::toString);
            assertTrue(c.messages() > 0, c::toString);
            assertEquals(c.integrity().sent(), c.integrity().received(), c::toString);
            assertTrue(c.integrity().clean(), c::toString);
            shares += c.share();
            if (mode == Mode.LATENCY) merged += c.latency().count();
        }
        assertEquals(1.0, shares, 1e-9);
        assertTrue(f.fairness().minShare() <= 1.0 / clients + 1e-9 && f.fairness().maxShare() >= 1.0 / clients - 1e-9, f.fairness()::toString);
        assertTrue(m.cpu().peerUsPerMsg() != null && m.cpu().peerUsPerMsg() > 0, "every client said its CPU: " + m.cpu());
        if (mode == Mode.LATENCY) assertEquals(merged, m.summary().latency().count(), "the merged histogram holds every client's round trips");
        else assertTrue(m.summary().msgsPerSec() > 0);
        assertCountersOfEveryProcess(m);
    }

    /**
     * The kernel's counters of the server's session threads and of every client's measuring thread,
     * per message, each read by the thread itself at its window's edges; and they cover that window,
     * not more: a thread's time on a CPU plus its time waiting for one cannot pass the wall-clock time
     * it was counted over (the reads once bracketed the first call of jnr's clock binding as well, and
     * a client among 16 "waited" 2.3 s per second). The windows' overlap is on the row as well.
     */
    static void assertCountersOfEveryProcess(Results.Measurement m) {
        Results.Counters k = m.counters();
        String note = m.parameters().get("counters");
        assertNotNull(k, () -> "the row carries the kernel's counters: " + m.parameters());
        assertTrue(note != null && note.startsWith(FanIn.COUNTERS_NOTE), () -> "how they were read: " + note);
        assertTrue(k.messages() > 0, () -> "the messages of the counted span: " + k);
        String windows = m.parameters().get("windows");
        assertTrue(windows != null && windows.startsWith("the " + m.fanIn().finished() + " clients' measured windows started within "), windows);
        double window = Double.parseDouble(m.parameters().get("windows").replaceAll(".* for ([0-9.]+) s of --duration ([0-9.]+) s$", "$2"));
        for (Results.ClientResult c : m.fanIn().perClient()) {
            Results.CounterGroup g = k.group("client " + c.client(), "work");
            assertCoversAtMost(g, 1, c.seconds(), () -> "client " + c.client() + ": " + g);
        }
        Results.CounterGroup server = k.group("server", "work");
        assertCoversAtMost(server, server.tids().size(), window, () -> "server: " + server);
    }

    private static void assertCoversAtMost(Results.CounterGroup g, int threads, double seconds, java.util.function.Supplier<String> what) {
        assertNotNull(g, what);
        Results.Figure ctx = g.figures().get("ctx_voluntary"), run = g.figures().get("run_ns"), wait = g.figures().get("wait_ns");
        assertTrue(ctx != null && ctx.perMessage() != null && ctx.total() >= 0, what);
        assertTrue(run != null && wait != null && run.total() != null && wait.total() != null, what);
        double wall = threads * (seconds * 1.05 + 0.05) * 1e9; // the reads' own time, on a busy machine
        assertTrue(threads > 0 && run.total() + wait.total() <= wall,
                () -> "on a CPU " + run.total() / 1e9 + " s and waiting " + wait.total() / 1e9 + " s in " + threads + " × " + seconds + " s: " + what.get());
    }

    /**
     * One client, one second: each side of a round trip over a Unix socket blocks in read(2) for the
     * other, a voluntary context switch per round trip or close to it on each side; one session
     * thread serves the one client.
     */
    @Test
    void aFanInRowCarriesTheKernelsCountersOfTheServerAndEachClient() {
        Results.Measurement m = run("unix", Mode.LATENCY, 1, Duration.ofSeconds(1), new FanIn());
        assertEveryClientClean(m, 1, Mode.LATENCY);
        for (String process : List.of("server", "client 1")) {
            Results.Figure ctx = m.counters().group(process, "work").figures().get("ctx_voluntary");
            assertTrue(ctx.perMessage() > 0.3, () -> process + " switched " + ctx.perMessage() + " times per round trip: " + m.counters());
        }
        assertEquals(1, m.counters().group("server", "work").tids().size(), "one session thread for one client");
    }

    @Test
    void fourClientsOnAStreamSocketEachKeepTheirOwnSequence() {
        Map<String, Long> histograms = new java.util.HashMap<>();
        Results.Measurement latency = run("unix", Mode.LATENCY, 4, Duration.ofMillis(300),
                new FanIn().onHistogram((label, h) -> histograms.put(label, h.getTotalCount())));
        assertEveryClientClean(latency, 4, Mode.LATENCY);
        assertEquals(Map.of("unix-fan-in-4-latency-64", latency.summary().latency().count()), histograms, "the merged histogram, for --hgrm");
        assertEveryClientClean(run("unix", Mode.THROUGHPUT, 4, Duration.ofMillis(300), new FanIn()), 4, Mode.THROUGHPUT);
    }

    @Test
    void fourClientsOverTcp() {
        assertEveryClientClean(run("tcp", Mode.THROUGHPUT, 4, Duration.ofMillis(300), new FanIn()), 4, Mode.THROUGHPUT);
    }

    @Test
    void fourWritersIntoOnePosixQueueEachKeepTheirOwnSequence() {
        assertEveryClientClean(run("mqueue", Mode.THROUGHPUT, 4, Duration.ofMillis(300), new FanIn()), 4, Mode.THROUGHPUT);
    }

    @Test
    void moreWritersThanTheQueueHoldsAttachWhileTheFirstIsRead() {
        // Each writer's connect leaves an attach message in the one queue: with room for 2, writers 3 and 4
        // could attach only if the runner reads the queue while they start.
        ChannelProvider p = Providers.get("mqueue");
        Results.Measurement m = new FanIn().measure(p, ChannelSpec.of("mqueue").with("maxmsg", "2"), Mode.THROUGHPUT, 64, 4,
                cfg("mqueue", Duration.ofMillis(300)));
        assertEveryClientClean(m, 4, Mode.THROUGHPUT);
    }

    /**
     * Three writers into one datagram socket each (the server end leaves it unconnected), with the C
     * fan-in beside each row when a compiler is here: unix-dgram keeps every writer's sequence;
     * udp may lose, and each writer's loss is counted against what it says it sent, not a failure.
     */
    @Test
    void threeWritersIntoOneDatagramSocketAreCountedPerWriterWithTheCFanInBeside(@org.junit.jupiter.api.io.TempDir Path cache) {
        List<String> why = new java.util.ArrayList<>();
        org.ipclab.bench.baseline.NativeBaseline c = org.ipclab.bench.baseline.NativeBaseline.prepare(cache, why::add).orElse(null);
        BenchConfig cfg = new BenchConfig(List.of("unix-dgram", "udp"), List.of(Mode.THROUGHPUT), List.of(64), Duration.ofMillis(100),
                Duration.ofMillis(300), 0, 1, Duration.ofSeconds(10), Map.of(), 0);
        Results.Report report = new FanInRun(org.ipclab.bench.Progress.NONE, c).run(cfg, List.of(3), Map.of(), "test");
        assertEquals(List.of("unix-dgram", "udp"), report.measurements().stream().map(Results.Measurement::mechanism).toList(), report::toString);
        Results.Measurement unix = report.measurements().get(0);
        assertEveryClientClean(unix, 3, Mode.THROUGHPUT);
        assertEquals("3 writers into one unconnected socket", unix.parameters().get("fan-in"), unix.parameters()::toString);
        Results.Measurement udp = report.measurements().get(1);
        assertEquals("ok", udp.status(), udp::toString);
        assertEquals(3, udp.fanIn().finished(), udp::toString);
        double shares = 0;
        for (Results.ClientResult w : udp.fanIn().perClient()) {
            Results.Integrity i = w.integrity();
            assertEquals("ok", w.status(), w::toString);
            assertTrue(i.sent() > 0 && i.received() > 0 && i.received() <= i.sent(), w::toString);
            assertEquals(i.sent() - i.received(), i.lost(), () -> "every unreceived message is counted lost: " + w);
            assertEquals(0, i.corrupt(), w::toString);
            shares += w.share();
        }
        assertEquals(1.0, shares, 1e-9);
        long lost = udp.fanIn().perClient().stream().mapToLong(w -> w.integrity().lost()).sum();
        assertEquals(lost, udp.integrity().lost(), "the row's loss is the writers' summed");
        if (c == null) return; // no compiler: the Java rows are checked, the C column is skipped with a note
        for (Results.Measurement m : report.measurements()) {
            Results.Baseline b = m.baseline();
            assertNotNull(b, () -> m.mechanism() + " has a C figure: " + m);
            assertEquals(null, b.error(), () -> m.mechanism() + ": " + b);
            assertTrue(b.msgsPerSec() > 0 && b.rateRatio() != null, b::toString);
        }
    }

    @Test
    void aQueueHasNoReturnPathToOneWriterSoLatencyIsRefusedWithTheReason() {
        MechanismInfo queue = Providers.get("mqueue").describe();
        assertTrue(FanIn.cannotFanIn(queue).isEmpty());
        assertTrue(FanIn.noLatency(queue).orElseThrow().contains("no return path to one client"));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> run("mqueue", Mode.LATENCY, 2, Duration.ofMillis(100), new FanIn()));
        assertTrue(e.getMessage().contains("throughput only"), e.getMessage());
    }

    @Test
    void aWriterKilledMidRunFailsThatWriterAndTheOthersAreCounted() throws IOException {
        List<String> before = ipclabObjects();
        FanIn fanIn = new FanIn().onRunning(ps -> {
            sleep(300);
            ps.get(0).destroyForcibly(); // the first to start: likely the writer the queue's session watches
        });
        Results.Measurement m = run("mqueue", Mode.THROUGHPUT, 3, Duration.ofSeconds(1), fanIn);
        assertEquals("ok", m.status(), m::toString);
        assertEquals(2, m.fanIn().finished(), m::toString);
        assertTrue(m.fanIn().perClient().get(0).error().contains("killed by signal 9 (SIGKILL)"), m.fanIn().perClient().get(0)::toString);
        for (int i : new int[] {1, 2}) {
            Results.ClientResult c = m.fanIn().perClient().get(i);
            assertTrue(c.integrity().clean() && c.integrity().received() == c.integrity().sent(), c::toString);
        }
        assertEquals(before, ipclabObjects(), "what the run created is gone");
    }

    @Test
    void fourWritersIntoOneSystemVQueueEachKeepTheirOwnSequenceAndTheQueuesGo() throws IOException {
        Results.Measurement m = run("sysv-mqueue", Mode.THROUGHPUT, 4, Duration.ofMillis(300), new FanIn());
        assertEveryClientClean(m, 4, Mode.THROUGHPUT);
        assertQueuesRemoved(m);
    }

    @Test
    void aWriterKilledMidRunIntoASystemVQueueFailsThatWriterOnly() throws IOException {
        FanIn fanIn = new FanIn().onRunning(ps -> {
            sleep(300);
            ps.get(0).destroyForcibly(); // likely the writer whose ATTACH opened the session, the one the reader watches
        });
        Results.Measurement m = run("sysv-mqueue", Mode.THROUGHPUT, 3, Duration.ofSeconds(1), fanIn);
        assertEquals("ok", m.status(), m::toString);
        assertEquals(2, m.fanIn().finished(), m::toString);
        assertTrue(m.fanIn().perClient().get(0).error().contains("killed by signal 9 (SIGKILL)"), m.fanIn().perClient().get(0)::toString);
        for (int i : new int[] {1, 2}) {
            Results.ClientResult c = m.fanIn().perClient().get(i);
            assertTrue(c.integrity().clean() && c.integrity().received() == c.integrity().sent(), c::toString);
        }
        assertQueuesRemoved(m);
    }

    /** The run's two msqids (its "queues" parameter) are no longer in /proc/sysvipc/msg. */
    private static void assertQueuesRemoved(Results.Measurement m) throws IOException {
        String queues = m.parameters().get("queues");
        assertNotNull(queues, m.parameters()::toString);
        java.util.regex.Matcher id = java.util.regex.Pattern.compile("msqid (\\d+)").matcher(queues);
        int seen = 0;
        List<Integer> now = sysvQueues();
        while (id.find()) {
            seen++;
            assertTrue(!now.contains(Integer.parseInt(id.group(1))), "msqid " + id.group(1) + " is still there: " + queues);
        }
        assertEquals(2, seen, queues);
    }

    /** The msqids in /proc/sysvipc/msg (second column). */
    static List<Integer> sysvQueues() throws IOException {
        return Files.readAllLines(Path.of("/proc/sysvipc/msg")).stream().skip(1).map(String::trim).filter(l -> !l.isEmpty())
                .map(l -> Integer.parseInt(l.split("\\s+")[1])).toList();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void threeWritersIntoOneFifoEachKeepTheirOwnSequenceAndTheCFanInRunsBeside(@TempDir Path cache) throws IOException {
        assumeTrue(NativeBaseline.findCompiler().isPresent(), "no C compiler here: the native baseline is skipped");
        List<String> before = ipclabObjects();
        List<String> notes = new java.util.ArrayList<>();
        NativeBaseline c = NativeBaseline.prepare(cache, notes::add).orElseThrow(() -> new AssertionError("no C baseline: " + notes));
        BenchConfig cfg = new BenchConfig(List.of("fifo"), List.of(Mode.THROUGHPUT), List.of(64), Duration.ofMillis(100),
                Duration.ofMillis(300), 0, 1, Duration.ofSeconds(10), Map.of(), 0);
        FanInRun.check(cfg, List.of(3));
        Results.Report report = new FanInRun(org.ipclab.bench.Progress.NONE, c).run(cfg, List.of(3), Map.of(), "test");
        assertEquals(1, report.measurements().size(), report::toString);
        Results.Measurement m = report.measurements().get(0);
        assertEveryClientClean(m, 3, Mode.THROUGHPUT);
        assertTrue(m.parameters().get("fan-in").contains("PIPE_BUF"), m.parameters()::toString);
        Results.Baseline row = m.baseline();
        assertNotNull(row, "the C row");
        assertEquals(null, row.error(), row::toString);
        assertTrue(row.msgsPerSec() > 0 && row.rateRatio() != null, row::toString);
        assertEquals(before, ipclabObjects(), "what the run created is gone");
    }

    /** A killed unix-dgram writer cannot remove its own socket directory: the run does, and nothing is left. */
    @ParameterizedTest
    @ValueSource(strings = {"fifo", "unix-dgram"})
    void aWriterKilledMidRunIntoOneSharedChannelFailsThatWriterOnly(String mechanism) throws IOException {
        List<String> before = ipclabObjects();
        FanIn fanIn = new FanIn().onRunning(ps -> {
            sleep(300);
            ps.get(0).destroyForcibly(); // fifo: the first writer, the one whose open let accept return
        });
        Results.Measurement m = run(mechanism, Mode.THROUGHPUT, 3, Duration.ofSeconds(1), fanIn);
        assertEquals("ok", m.status(), m::toString);
        assertEquals(2, m.fanIn().finished(), m::toString);
        assertTrue(m.fanIn().perClient().get(0).error().contains("killed by signal 9 (SIGKILL)"), m.fanIn().perClient().get(0)::toString);
        for (int i : new int[] {1, 2}) {
            Results.ClientResult c = m.fanIn().perClient().get(i);
            assertTrue(c.integrity().clean() && c.integrity().received() == c.integrity().sent() && c.integrity().sent() > 0, c::toString);
        }
        assertEquals(before, ipclabObjects(), "what the run created is gone");
    }

    @Test
    void aFifoFanInWithAFrameOverPipeBufIsRefusedBeforeAnythingStarts() {
        BenchConfig over = new BenchConfig(List.of("fifo"), List.of(Mode.THROUGHPUT), List.of(64, 4093), Duration.ofMillis(100),
                Duration.ofMillis(300), 0, 1, Duration.ofSeconds(10), Map.of(), 0);
        org.ipclab.core.BadInputException e = org.junit.jupiter.api.Assertions.assertThrows(org.ipclab.core.BadInputException.class,
                () -> FanInRun.check(over, List.of(1, 3)));
        assertTrue(e.getMessage().contains("--sizes 4093") && e.getMessage().contains("at most 4092 bytes")
                && e.getMessage().contains("PIPE_BUF = 4096"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line");
        // The largest message whose frame is PIPE_BUF passes; mechanisms with a session each have no such limit.
        for (Map.Entry<String, Integer> ok : Map.of("fifo", 4092, "unix", 8192).entrySet()) {
            FanInRun.check(new BenchConfig(List.of(ok.getKey()), List.of(Mode.THROUGHPUT), List.of(ok.getValue()), Duration.ofMillis(100),
                    Duration.ofMillis(300), 0, 1, Duration.ofSeconds(10), Map.of(), 0), List.of(3));
        }
        long children = ProcessHandle.current().children().count();
        IllegalArgumentException direct = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new FanIn().measure(Providers.get("fifo"), ChannelSpec.of("fifo"), Mode.THROUGHPUT, 4093, 3, over));
        assertTrue(direct.getMessage().contains("4093"), direct.getMessage());
        assertEquals(children, ProcessHandle.current().children().count(), "no writer was started");
    }

    /**
     * On the oldest JDK the suite runs on only: 64 client JVMs take a minute on two CPUs, what is
     * checked is the kernel's and the runner's (integrity per client), not the JDK's, and on the
     * JDK 25 leg the suite would pass its 15-minute budget.
     */
    @Test
    @org.junit.jupiter.api.condition.DisabledForJreRange(min = org.junit.jupiter.api.condition.JRE.JAVA_18)
    void sixtyFourClientsKeepIntegrity() {
        // 64 JVMs on a small machine: a small heap too; integrity is what is checked here, not speed.
        FanIn small = new FanIn().clientJvm(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx32m", "-Xss256k"));
        System.setProperty(FanInClient.JIT_WARM_UP, "2000"); // 64 × 20,000 messages is a minute of warm-up on two CPUs
        try {
            // One second: 64 clients and 64 session threads on two CPUs wait ~0.4 s for a turn each, and a
            // client whose last warm-up send returns after a shorter common window measures nothing in it.
            assertEveryClientClean(run("unix", Mode.THROUGHPUT, 64, Duration.ofSeconds(1), small), 64, Mode.THROUGHPUT);
        } finally {
            System.clearProperty(FanInClient.JIT_WARM_UP);
        }
    }

    @Test
    void aClientKilledMidRunFailsThatClientAndTheOthersFinish() throws IOException {
        List<String> before = ipclabObjects();
        long[] killed = new long[1];
        FanIn fanIn = new FanIn().onRunning(ps -> {
            try {
                Thread.sleep(300); // into the measured window (warm-up is 100 ms)
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            killed[0] = ps.get(1).pid();
            ps.get(1).destroyForcibly(); // SIGKILL
        });
        Results.Measurement m = run("unix", Mode.LATENCY, 4, Duration.ofSeconds(1), fanIn);
        assertEquals("ok", m.status(), m::toString);
        Results.FanIn f = m.fanIn();
        assertEquals(3, f.finished(), m::toString);
        Results.ClientResult dead = f.perClient().get(1);
        assertEquals("failed", dead.status());
        assertEquals(killed[0], dead.pid());
        assertTrue(dead.error().contains("killed by signal 9 (SIGKILL)"), dead.error());
        assertTrue(m.error().contains("1 of 4 clients failed"), m.error());
        for (int i : new int[] {0, 2, 3}) assertTrue(f.perClient().get(i).integrity().clean(), f.perClient().get(i)::toString);
        assertEquals(before, ipclabObjects(), "what the run created is gone");
    }

    /** The client JVM's flags come after the runner's and win; a collector of their own replaces the runner's, or no client JVM would start. */
    @Test
    void theClientJvmsFlagsWinAndReplaceTheRunnersCollector() throws Exception {
        List<String> runner = List.of("-XX:+UseParallelGC", "-Xmx512m", "-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=0");
        List<String> flags = FanIn.clientJvmFlags(runner, List.of("-Dipclab.peer=yes"), FanIn.CLIENT_JVM);
        assertEquals(List.of("-Xmx512m", "-Dipclab.peer=yes", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), flags);
        assertEquals(List.of("-XX:+UseParallelGC", "-Xmx512m"), FanIn.clientJvmFlags(runner, List.of(), List.of()), "--client-jvm '': the runner's own");
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(flags);
        cmd.add("-version");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "a client JVM starts with " + flags + ": " + out);
    }

    @Test
    void aMechanismWithoutFanInSaysWhyFromItsDescription() {
        MechanismInfo related = MechanismInfo.builder("x").capabilities(Capability.RELATED_PROCESSES_ONLY).maxMessageSize(64).build();
        assertTrue(FanIn.cannotFanIn(related).orElseThrow().contains("only a parent and the child it starts"));
        MechanismInfo oneSession = MechanismInfo.builder("y").capabilities(Capability.NAMED).maxMessageSize(64).build();
        assertTrue(FanIn.cannotFanIn(oneSession).orElseThrow().contains("one session at a time"));
        assertTrue(FanIn.cannotFanIn(Providers.get("unix").describe()).isEmpty());
    }

    /**
     * ipclab-named entries of any process in /tmp, /dev/shm and /dev/mqueue (where POSIX queues show):
     * the clients' as well as this JVM's, so what a killed client made counts too.
     */
    static List<String> ipclabObjects() throws IOException {
        String mine = "ipclab-";
        List<String> found = new java.util.ArrayList<>();
        for (Path dir : List.of(Path.of("/tmp"), Path.of("/dev/shm"), Path.of("/dev/mqueue"))) {
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> s = Files.list(dir)) {
                s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(mine)).sorted().forEach(found::add);
            }
        }
        return found;
    }
}
