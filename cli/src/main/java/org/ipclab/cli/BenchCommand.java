package org.ipclab.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import org.ipclab.bench.BenchConfig;
import org.ipclab.bench.Benchmark;
import org.ipclab.bench.Environment;
import org.ipclab.bench.Mode;
import org.ipclab.bench.Placement;
import org.ipclab.bench.PlacementAxis;
import org.ipclab.bench.baseline.NativeBaseline;
import org.ipclab.bench.fanin.FanInLimits;
import org.ipclab.bench.fanin.FanInRun;
import org.ipclab.bench.NanoClock;
import org.ipclab.bench.Progress;
import org.ipclab.bench.RemoteTarget;
import org.ipclab.bench.ResultWriters;
import org.ipclab.bench.Results;
import org.ipclab.bench.Runner;
import org.ipclab.core.BadInputException;
import org.ipclab.core.Channel;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.MechanismOption;
import org.ipclab.core.peer.PeerProtocol;
import org.ipclab.core.Providers;
import org.ipclab.core.Units;
import org.ipclab.core.peer.Probe;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure latency and throughput between two processes.",
                "Latency is the round-trip time (RTT) of a ping-pong; throughput a one-way",
                "stream verified by the receiver. Without --mechanism: every mechanism",
                "available here, each beside the native C program over the same mechanism."},
        footer = {"", "Sizes take k and m suffixes (1k = 1024). Durations need a unit: 500ms, 2s, 1m.",
                "Example: ipc bench -m tcp -m unix --sizes 64,4k,64k --repeat 5 --json results.json"})
final class BenchCommand implements Callable<Integer>, ChannelOptions.User {
    @Option(names = {"-m", "--mechanism"}, paramLabel = "NAME", split = ",",
            description = "Mechanism(s) to measure, repeatable or comma-separated (default: all available; see 'ipc list').")
    List<String> mechanisms = new ArrayList<>();

    @Option(names = "--sizes", paramLabel = "LIST", split = ",", defaultValue = "64,4k,64k,1m",
            converter = Converters.SizeConverter.class,
            description = "Message sizes in bytes, at least " + Probe.MIN_SIZE + " (default: ${DEFAULT-VALUE}).")
    List<Integer> sizes;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "both", converter = Converters.ModesConverter.class,
            description = "latency, throughput or both (default: ${DEFAULT-VALUE}).")
    List<Mode> modes;

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "500ms", converter = Converters.DurationConverter.class,
            description = "Length of each measured repeat (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--count", paramLabel = "N", description = "Messages per repeat instead of --duration.")
    Long count;

    @Option(names = "--all", description = "Every available mechanism (the default when no --mechanism is given).")
    boolean all;

    @Option(names = "--rate", paramLabel = "N/s", converter = Converters.RateConverter.class,
            description = "Open-loop latency: send N messages per second on a fixed schedule and measure from the"
                    + " intended send time (coordinated omission corrected); the raw figures are shown beside.")
    Double rate;

    @Option(names = "--warmup", paramLabel = "TIME", defaultValue = "300ms", converter = Converters.DurationConverter.class,
            description = "Warm-up before measuring, per mechanism and size (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "3",
            description = "Measured repeats; their spread is reported (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--timeout", paramLabel = "TIME", defaultValue = "10s", converter = Converters.DurationConverter.class,
            description = "Longest wait for one message before the run fails (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Mixin
    ChannelOptions channelOptions;

    @Option(names = "--connect", paramLabel = "HOST:PORT", converter = Converters.HostPortConverter.class,
            description = "Measure against an 'ipc serve' elsewhere (a mechanism with a host and port) instead of starting a peer.")
    Converters.HostPort connect;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON (docs/results-schema.md); '-' for stdout (the table goes to stderr).")
    Path json;

    @Option(names = "--csv", paramLabel = "FILE", description = "Also write the results as CSV.")
    Path csv;

    @Option(names = "--baseline", paramLabel = "native|none", defaultValue = "native",
            description = "native (default): also run the C reference program for each mechanism, mode and size, and"
                    + " show Java, C and Java/C; skipped with a note when there is no C compiler. none: Java only.")
    String baseline;

    @Option(names = "--pin", paramLabel = "RUNNER,PEER",
            description = "Pin the runner and the peer to these CPUs (taskset), e.g. --pin 0,1; echoed in the results.")
    String pin;

    @Option(names = "--placement", paramLabel = "same-cpu|cross-cpu|both|unpinned",
            description = "Placement as an axis: both processes on one CPU, on two CPUs that share no SMT sibling, the"
                    + " matrix under each (both: the default without --pin or --connect), or where the scheduler puts them;"
                    + " Java and C alike, each row says which.")
    String placementAxis;

    @Option(names = "--hgrm", paramLabel = "DIR", description = "Also write each latency histogram as an HdrHistogram .hgrm percentile file.")
    Path hgrm;

    @Option(names = "--no-counters", negatable = false,
            description = "Do not count system calls and context switches with perf (perf's tracepoint costs a little per call,"
                    + " in Java and C alike): the figures of a run that only compares times.")
    boolean noCounters;

    @Option(names = "--clients", paramLabel = "N[,N...]",
            description = "Fan-in: N client processes against ONE server end, e.g. --clients 1,4,16,64 for a sweep; per client"
                    + " latency, share (fairness) and integrity, the aggregate rate, the C fan-in beside it. Mechanisms that"
                    + " cannot (see 'ipc list': FAN_IN) are skipped with the reason.")
    String clients;

    @Option(names = "--client-jvm", paramLabel = "FLAGS",
            description = "With --clients: the client JVMs' flags after this JVM's, space-separated (default: the lighter"
                    + " '-XX:+UseSerialGC -XX:TieredStopAtLevel=1', fewer JVM threads per client; '' for this JVM's flags only); echoed in the results.")
    String clientJvm;

    @Option(names = "--pairs", paramLabel = "N[,N...]",
            description = "N independent pairs at once per mechanism, each with its own peer and kernel objects; a list sweeps"
                    + " (1,2,4,8) and adds a scaling section. Latency merged from all pairs' histograms; the C baseline runs the same N.")
    String pairs;

    @Option(names = "--background", paramLabel = "LOAD",
            description = "Measure beside a load the tool starts and stops: cpu:N (N spinning processes) or pair:MECHANISM"
                    + " (a second ipclab pair); its CPU use is in the results.")
    String background;

    @Option(names = {"-q", "--quiet"}, description = "No progress lines.")
    boolean quiet;

    @Mixin
    ResultOptions resultOptions; // --format, --hlog, --json - (owned by the distribution work)

    @Override
    public ChannelOptions channelOptions() {
        return channelOptions;
    }

    @Override
    public Integer call() throws Exception {
        BenchConfig cfg = config();
        checkOutput(json);
        checkOutput(csv);
        if (hgrm != null && !Files.isDirectory(hgrm)) throw new BadInputException("--hgrm " + hgrm + " is not a directory");
        List<Integer> fanIn = clients == null ? null : FanInLimits.parse(clients);
        if (fanIn != null) {
            if (pairs != null || background != null) {
                throw new BadInputException("--clients and --" + (pairs != null ? "pairs" : "background") + " are two shapes of run; give one");
            }
            if (connect != null || pin != null || placementAxis != null) {
                throw new BadInputException("--clients starts its own clients on this machine; drop --" + (connect != null ? "connect" : pin != null ? "pin" : "placement"));
            }
            FanInRun.check(cfg, fanIn); // the machine's limits, before anything starts
        } else if (clientJvm != null) {
            throw new BadInputException("--client-jvm sets the JVMs of --clients; give --clients, or drop --client-jvm");
        }
        List<String> clientFlags = clientJvm == null ? org.ipclab.bench.fanin.FanIn.CLIENT_JVM : FanInRun.parseClientJvm(clientJvm);
        if (pairs != null || background != null) return PairsBench.run(this, cfg); // N pairs at once (bench scale package)
        if (connect == null) Benchmark.preflight(cfg);
        PrintStream out = resultOptions.tableStream(json);
        Placement placement = pin == null ? Placement.none() : Placement.parse(pin);
        placement.pinRunner();
        Map<String, String> env = new java.util.LinkedHashMap<>(Environment.capture());
        env.put("pinning", placement.describe());
        Runner runner = new Runner(NanoClock.SYSTEM, Runner::processCpuNanos, Runner::newHistogram);
        runner.onHistogram(resultOptions.histograms(hgrm == null ? null : BenchCommand.hgrmWriter(hgrm)));
        TerminalProgress progress = new TerminalProgress(quiet);
        Benchmark benchmark = new Benchmark(runner, progress).placement(placement).kernelCounters(!noCounters);
        if (!baseline.equals("native") && !baseline.equals("none")) {
            throw new BadInputException("--baseline '" + baseline + "' is not one of native, none");
        }
        java.util.Optional<NativeBaseline> nativeC = baseline.equals("native") && connect == null
                ? NativeBaseline.prepare(NativeBaseline.defaultCacheRoot(), why -> progress.warn("C baseline skipped: " + why))
                : java.util.Optional.<NativeBaseline>empty();
        java.util.Optional<NativeBaseline> counted = nativeC.map(c -> c.kernelCounters(!noCounters));
        counted.map(placement::apply).ifPresent(benchmark::baseline);
        // --placement: the matrix once per placement, each with its own placed benchmark (PlacementAxis).
        if (placementAxis != null && (pin != null || connect != null)) throw new BadInputException("--placement and --" + (pin != null ? "pin" : "connect") + " contradict each other; give one");
        List<PlacementAxis.Choice> axis = placementAxis != null ? PlacementAxis.parse(placementAxis)
                : pin == null && connect == null ? PlacementAxis.byDefault() : null;
        if (axis != null) env.put("pinning", PlacementAxis.describe(placementAxis != null ? placementAxis : "default", axis));
        if (fanIn != null) env.put("pinning", "none (the scheduler places the server and its N clients)");
        PlacementAxis axisRun = new PlacementAxis();
        FanInRun fanInRun = fanIn == null ? null : new FanInRun(progress, counted.orElse(null)).clientJvm(clientFlags)
                .onHistogram(resultOptions.histograms(hgrm == null ? null : BenchCommand.hgrmWriter(hgrm)));
        String startedAt = Instant.now().toString();

        out.println("ipc bench: " + describe(cfg));
        AtomicBoolean finished = new AtomicBoolean();
        Thread onInterrupt = new Thread(() -> {
            // Whoever gets here first writes the results: the hook (interrupted) or the run (finished); never both at once.
            if (!finished.compareAndSet(false, true)) return;
            Results.Report partial = fanInRun != null ? fanInRun.report(cfg, env, VersionProvider.version(), startedAt, true)
                    : axis != null ? axisRun.report(cfg, env, VersionProvider.version(), startedAt, true)
                    : benchmark.report(cfg, env, VersionProvider.version(), startedAt, true);
            progress.clear();
            ResultWriters.table(partial, out);
            save(partial);
            out.flush();
        }, "ipclab-save-partial");
        Runtime.getRuntime().addShutdownHook(onInterrupt);

        Results.Report report;
        try {
            report = fanInRun != null ? fanInRun.run(cfg, fanIn, env, VersionProvider.version())
                    : connect != null
                    ? remote(cfg, benchmark, env)
                    : axis != null ? axisRun.run(axis, cfg, env, VersionProvider.version(), startedAt, pl -> {
                        Benchmark b = new Benchmark(runner, progress).placement(pl).kernelCounters(!noCounters);
                        counted.map(pl::apply).ifPresent(b::baseline);
                        return b;
                    })
                    : benchmark.run(cfg, env, VersionProvider.version());
        } finally {
            // From here on, only the run saves; a run that ended because it was interrupted leaves that to the hook.
            if (!finished.compareAndSet(false, true)) report = null;
        }
        if (report == null) return ExitCodes.FAILURE; // the hook is saving the partial results; the JVM is exiting
        progress.clear();
        ResultWriters.header(report, out);
        ResultWriters.table(report, out);
        ResultWriters.parameters(report, out);
        save(report);
        boolean allOk = report.measurements().stream().allMatch(Results.Measurement::ok);
        return allOk && !report.measurements().isEmpty() ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    void saveResults(Results.Report results) {
        save(results);
    }

    private void save(Results.Report results) {
        Results.Report report = resultOptions.decorate(results);
        try {
            if (json != null) {
                resultOptions.writeJson(report, json);
                System.err.println("ipc bench: wrote " + json + (report.partial() ? " (partial)" : ""));
            }
            if (csv != null) {
                ResultWriters.csv(report, csv);
                System.err.println("ipc bench: wrote " + csv + (report.partial() ? " (partial)" : ""));
            }
        } catch (IOException e) {
            System.err.println("ipc bench: could not write results: " + e.getMessage());
        }
    }

    private Results.Report remote(BenchConfig cfg, Benchmark benchmark, Map<String, String> env) throws IOException {
        ChannelProvider p = Providers.get(cfg.mechanisms().get(0));
        ChannelSpec spec = Providers.specFor(p, cfg.options());
        MechanismInfo info = p.describe(spec);
        PeerProtocol protocol = PeerProtocol.of(info);
        try (Channel ch = p.connect(spec, cfg.timeout())) {
            protocol.awaitHello(ch, cfg.timeout());
            RemoteTarget target = new RemoteTarget(info, ch, Map.of("server", connect.host() + ":" + connect.port()));
            Results.Report report = benchmark.runRemote(target, cfg, env, VersionProvider.version());
            ServeCommand.sayStop(ch, protocol);
            return report;
        }
    }

    /** Validates every option before anything runs: bad input never starts a peer. */
    BenchConfig config() {
        Map<String, String> options = channelOptions.toMap();
        if (connect != null) {
            if (mechanisms.size() != 1) throw new BadInputException("--connect needs exactly one --mechanism");
            MechanismInfo info = Providers.get(mechanisms.get(0)).describe();
            MechanismOption host = info.optionOfType(MechanismOption.Type.HOST).orElseThrow(() -> new BadInputException(
                    "--connect: mechanism '" + info.name() + "' has no host and port; it cannot reach a server elsewhere"));
            MechanismOption port = info.optionOfType(MechanismOption.Type.PORT).orElseThrow();
            options.put(host.name(), connect.host());
            options.put(port.name(), Integer.toString(connect.port()));
        }
        if (all && !mechanisms.isEmpty()) throw new BadInputException("--all and --mechanism contradict each other; give one");
        if (repeat < 3) System.err.println("ipc bench: warning: --repeat " + repeat + " gives no meaningful spread; 3 or more is better");
        if (count != null && count < 1) throw new BadInputException("--count " + count + " must be at least 1");
        return BenchConfig.builder().mechanisms(mechanisms).modes(modes).sizes(sizes).warmup(warmup).duration(duration)
                .count(count == null ? 0 : count).repeat(repeat).timeout(timeout).options(options)
                .rate(rate == null ? 0 : rate).build();
    }

    /** Writes {@code DIR/<mechanism>-latency-<size>.hgrm} in µs, the format HdrHistogram's plotter reads. */
    static java.util.function.BiConsumer<String, org.HdrHistogram.Histogram> hgrmWriter(Path dir) {
        return (label, h) -> {
            try (PrintStream ps = new PrintStream(Files.newOutputStream(dir.resolve(label + ".hgrm")), false, "UTF-8")) {
                h.outputPercentileDistribution(ps, 1000.0);
            } catch (IOException e) {
                System.err.println("ipc bench: could not write " + dir.resolve(label + ".hgrm") + ": " + e.getMessage());
            }
        };
    }

    private static void checkOutput(Path file) {
        if (file == null) return;
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) throw new BadInputException("cannot write " + file + ": directory " + dir + " does not exist");
        if (!Files.isWritable(dir)) throw new BadInputException("cannot write " + file + ": directory " + dir + " is not writable");
        if (Files.isDirectory(file)) throw new BadInputException("cannot write " + file + ": it is a directory");
    }

    private static String describe(BenchConfig c) {
        return String.join(", ", c.mechanisms()) + " | sizes " + c.sizes().stream().map(Units::formatSize).collect(Collectors.joining(", "))
                + " | " + c.modes().stream().map(Mode::label).collect(Collectors.joining("+"))
                + (c.rate() > 0 ? " | open loop at " + String.format(Locale.ROOT, "%,.0f/s", c.rate()) : "")
                + " | warm-up " + Units.format(c.warmup()) + ", " + c.repeat() + " × "
                + (c.count() > 0 ? c.count() + " messages" : Units.format(c.duration()))
                + (c.options().isEmpty() ? "" : " | options " + c.options());
    }

    /** "[3/12] tcp latency 4 KiB   ~40s left" on stderr, redrawn in place on a terminal. */
    static final class TerminalProgress implements Progress {
        private final boolean quiet;
        private final boolean tty = System.console() != null;
        private boolean drawn;

        TerminalProgress(boolean quiet) {
            this.quiet = quiet;
        }

        @Override
        public synchronized void started(int index, int total, String label, Duration left) {
            if (quiet) return;
            int width = 24;
            int filled = (int) ((long) width * (index - 1) / Math.max(1, total));
            String bar = "#".repeat(filled) + ".".repeat(width - filled);
            String line = String.format("[%s] %d/%d %-32s ~%s left", bar, index, total, label, Units.format(Duration.ofSeconds(left.toSeconds())));
            if (tty) {
                System.err.print("\r" + line + "   ");
                drawn = true;
            } else {
                System.err.println(line);
            }
        }

        @Override
        public synchronized void finished(Results.Measurement m) {
            if (!m.ok() && !quiet) {
                clear();
                System.err.println("ipc bench: " + m.mechanism() + " " + m.mode() + " " + Units.formatSize(m.sizeBytes())
                        + " " + m.status() + ": " + m.error());
            }
        }

        @Override
        public synchronized void warn(String message) {
            clear();
            System.err.println("ipc bench: note: " + message);
        }

        synchronized void clear() {
            if (drawn) {
                System.err.print("\r" + " ".repeat(100) + "\r");
                drawn = false;
            }
        }
    }

}
