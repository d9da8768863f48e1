package org.ipclab.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import org.ipclab.bench.BenchConfig;
import org.ipclab.bench.Benchmark;
import org.ipclab.bench.Environment;
import org.ipclab.bench.Mode;
import org.ipclab.bench.NanoClock;
import org.ipclab.bench.Placement;
import org.ipclab.bench.Progress;
import org.ipclab.bench.RemoteTarget;
import org.ipclab.bench.Results;
import org.ipclab.bench.Runner;
import org.ipclab.bench.baseline.NativeBaseline;
import org.ipclab.bench.counters.Explanation;
import org.ipclab.bench.counters.ProcFiles;
import org.ipclab.bench.counters.ProcessSample;
import org.ipclab.bench.counters.ThreadSample;
import org.ipclab.core.BadInputException;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.Names;
import org.ipclab.core.Providers;
import org.ipclab.core.Units;
import org.ipclab.core.peer.PeerLauncher;
import org.ipclab.core.peer.PeerSession;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "explain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Why a mechanism costs what it costs: a short latency run of one mechanism at one size,",
                "told from the kernel's own counters (system calls, bytes copied through the kernel,",
                "context switches per round trip), for Java and for the native C program."},
        footer = {"", "Examples:", "  ipc explain pipe", "  ipc explain shm --opt wait=spin", "  ipc explain unix --size 4k --strace"})
final class ExplainCommand implements Callable<Integer>, ChannelOptions.User {
    private static final int STRACE_ROUND_TRIPS = 2;
    private static final int STRACE_LINES = 60;
    /** Paths that do not exist, looked up to mark where the traced round trips begin and end. */
    private static final String BEGIN = "/proc/self/ipclab-strace-begin";
    private static final String END = "/proc/self/ipclab-strace-end";

    @Parameters(index = "0", paramLabel = "MECHANISM", description = "The mechanism (see 'ipc list').")
    String mechanism;

    @Option(names = "--size", paramLabel = "SIZE", defaultValue = "64", converter = Converters.SizeConverter.class,
            description = "Message size (default: ${DEFAULT-VALUE}).")
    Integer size;

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "1s", converter = Converters.DurationConverter.class,
            description = "Measured time (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--warmup", paramLabel = "TIME", defaultValue = "300ms", converter = Converters.DurationConverter.class,
            description = "Warm-up (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--pin", paramLabel = "RUNNER,PEER", description = "Pin the runner and the peer (and the C pair) to these CPUs, e.g. 0,1.")
    String pin;

    @Option(names = "--baseline", paramLabel = "native|none", defaultValue = "native",
            description = "native (default): the C program's counters beside Java's; none: Java only.")
    String baseline;

    @Option(names = "--strace", description = "Also show the system calls of " + STRACE_ROUND_TRIPS
            + " round trips of the Java pair, as strace -f sees them (the evidence behind the counts).")
    boolean strace;

    @Mixin
    ChannelOptions channelOptions;

    @Override
    public ChannelOptions channelOptions() {
        return channelOptions;
    }

    @Override
    public Integer call() throws Exception {
        if (!baseline.equals("native") && !baseline.equals("none")) {
            throw new BadInputException("--baseline '" + baseline + "' is not one of native, none");
        }
        // The builder checks the mechanism, its options and the size against what it describes.
        BenchConfig cfg = BenchConfig.builder().mechanisms(List.of(mechanism)).modes(List.of(Mode.LATENCY))
                .sizes(List.of(size)).warmup(warmup).duration(duration).repeat(1).timeout(Duration.ofSeconds(10))
                .options(channelOptions.toMap()).build();
        ChannelProvider p = Providers.get(mechanism);
        Benchmark.preflight(cfg);
        Placement placement = pin == null ? Placement.none() : Placement.parse(pin);
        placement.pinRunner();
        Runner runner = new Runner(NanoClock.SYSTEM, Runner::processCpuNanos, Runner::newHistogram);
        Progress quiet = new Progress() {
        };
        Benchmark benchmark = new Benchmark(runner, quiet).placement(placement);
        if (baseline.equals("native")) {
            NativeBaseline.prepare(NativeBaseline.defaultCacheRoot(), why -> System.err.println("ipc explain: " + why))
                    .map(placement::apply).ifPresent(benchmark::baseline);
        }
        PrintStream out = System.out;
        out.println("ipc explain: " + mechanism + ", " + Units.formatSize(cfg.sizes().get(0)) + " round trips for "
                + Units.format(duration) + " after a " + Units.format(warmup) + " warm-up; placement: " + placement.describe());
        Map<String, String> env = new LinkedHashMap<>(Environment.capture());
        Results.Report report = benchmark.run(cfg, env, VersionProvider.version());
        report.notes().forEach(n -> out.println("note: " + n));
        if (report.measurements().isEmpty()) return ExitCodes.FAILURE;
        Results.Measurement m = report.measurements().get(0);
        out.println();
        for (String line : Explanation.of(m)) out.println(line);
        placementLine(m.counters(), "Java", out);
        if (m.baseline() != null) placementLine(m.baseline().counters(), "C", out);
        if (strace && m.ok()) straceEvidence(p, cfg, runner, placement, out);
        return m.ok() ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    /** Where each process was allowed to run and where its working threads ran, as the kernel reports it. */
    private static void placementLine(Results.Counters c, String who, PrintStream out) {
        if (c == null) return;
        List<String> parts = new ArrayList<>();
        for (String role : List.of("runner", "peer")) {
            Results.CounterGroup g = c.group(role, "work");
            if (g == null) continue;
            parts.add(role + " pid " + g.pid() + " allowed on CPUs " + (g.cpusAllowed() == null ? "?" : g.cpusAllowed())
                    + ", ran on " + (g.ranOn().isEmpty() ? "?" : g.ranOn()));
        }
        out.println(who + " placement (from /proc): " + String.join("; ", parts));
    }

    /**
     * A fresh peer, a few round trips unwatched, then strace attached to both processes while
     * {@value #STRACE_ROUND_TRIPS} more go by. Only the working threads' lines are shown.
     */
    private static void straceEvidence(ChannelProvider p, BenchConfig cfg, Runner runner, Placement placement, PrintStream out)
            throws IOException, InterruptedException {
        ChannelSpec spec = Providers.specFor(p, cfg.options());
        int size = cfg.sizes().get(0);
        Path dir = Names.privateDirectory("strace");
        Path log = dir.resolve("strace.log");
        try (PeerSession session = PeerLauncher.launch(p, spec, Duration.ofSeconds(30))) {
            placement.pinPeer(session.pid());
            RemoteTarget target = new RemoteTarget(p.describe(spec), session.channel(), Map.of());
            runner.window(org.ipclab.bench.counters.MeasureWindow.NONE);
            BenchConfig few = new BenchConfig(cfg.mechanisms(), cfg.modes(), cfg.sizes(), Duration.ZERO, Duration.ofSeconds(1),
                    200, 1, cfg.timeout(), cfg.options());
            runner.latency(target, size, few); // JIT and first-touch out of the way
            long self = ProcessHandle.current().pid();
            long me = currentTid();
            Set<Long> work = new TreeSet<>();
            for (ThreadSample t : ProcessSample.read(ProcFiles.SYSTEM, session.pid()).threads()) {
                if (!ProcessSample.jvmThread(t.name())) work.add(t.tid());
            }
            Process st;
            try {
                st = new ProcessBuilder("strace", "-f", "-qq", "-s", "12", "-o", log.toString(), "-p", Long.toString(self),
                        "-p", Long.toString(session.pid())).redirectErrorStream(true)
                        .redirectOutput(dir.resolve("strace.out").toFile()).start();
            } catch (IOException e) {
                out.println("--strace: no strace here (Debian: apt-get install strace): " + e.getMessage());
                return;
            }
            try {
                if (!attached(self, me, session.pid(), st)) {
                    out.println("--strace: strace did not attach within 10 s: " + Files.readString(dir.resolve("strace.out")).strip());
                    return;
                }
                BenchConfig two = new BenchConfig(cfg.mechanisms(), cfg.modes(), cfg.sizes(), Duration.ZERO, Duration.ofSeconds(1),
                        STRACE_ROUND_TRIPS, 1, Duration.ofSeconds(30), cfg.options());
                Files.exists(Path.of(BEGIN)); // a marker system call in the trace
                runner.latency(target, size, two);
                Files.exists(Path.of(END));
                new ProcessBuilder("kill", "-INT", Long.toString(st.pid())).start().waitFor(5, TimeUnit.SECONDS);
                st.waitFor(10, TimeUnit.SECONDS);
                List<String> lines = new ArrayList<>();
                boolean inside = false;
                for (String line : Files.readAllLines(log)) {
                    if (line.contains(BEGIN)) {
                        inside = true;
                        continue;
                    }
                    if (line.contains(END)) break;
                    if (!inside) continue;
                    int sp = line.indexOf(' ');
                    if (sp <= 0) continue;
                    long tid;
                    try {
                        tid = Long.parseLong(line.substring(0, sp));
                    } catch (NumberFormatException e) {
                        continue;
                    }
                    String call = line.substring(sp + 1);
                    if (call.startsWith("kill(") || call.contains("ptrace") || call.startsWith("+++") || call.startsWith("---")) continue;
                    if (tid == me) lines.add("  runner " + call);
                    else if (work.contains(tid)) lines.add("  peer   " + call);
                }
                out.println();
                out.println("strace -f of " + STRACE_ROUND_TRIPS + " round trips (runner thread " + me + ", peer pid " + session.pid()
                        + "; JVM threads left out):");
                lines.stream().limit(STRACE_LINES).forEach(out::println);
                if (lines.size() > STRACE_LINES) out.println("  ... " + (lines.size() - STRACE_LINES) + " more lines in the same pattern");
            } finally {
                if (st.isAlive()) st.destroyForcibly();
            }
        } finally {
            try (var s = Files.list(dir)) {
                for (Path f : s.toList()) Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        }
    }

    /** This thread's id: /proc/thread-self links to PID/task/TID. */
    private static long currentTid() throws IOException {
        String link = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString();
        return Long.parseLong(link.substring(link.lastIndexOf('/') + 1));
    }

    /** True once the kernel names a tracer for this thread and for the peer's main thread. */
    private static boolean attached(long self, long me, long peer, Process strace) throws IOException, InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < end && strace.isAlive()) {
            if (tracer(self + "/task/" + me) && tracer(peer + "/task/" + peer)) {
                Thread.sleep(200); // strace -f attaches a process's threads one after another
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    private static boolean tracer(String task) throws IOException {
        for (String line : ProcFiles.SYSTEM.lines(task + "/status")) {
            if (line.startsWith("TracerPid:")) return !line.substring(10).strip().equals("0");
        }
        return false;
    }
}
