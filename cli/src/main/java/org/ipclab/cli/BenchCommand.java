package org.ipclab.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
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
import org.ipclab.bench.NanoClock;
import org.ipclab.bench.Progress;
import org.ipclab.bench.RemoteTarget;
import org.ipclab.bench.ResultWriters;
import org.ipclab.bench.Results;
import org.ipclab.bench.Runner;
import org.ipclab.core.BadInputException;
import org.ipclab.core.Capability;
import org.ipclab.core.Channel;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.MechanismOption;
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
                "available here."},
        footer = {"", "Sizes take k and m suffixes (1k = 1024). Durations need a unit: 500ms, 2s, 1m.",
                "Example: ipc bench -m tcp -m unix --sizes 64,4k,64k --repeat 5 --json results.json"})
final class BenchCommand implements Callable<Integer> {
    @Option(names = {"-m", "--mechanism"}, paramLabel = "NAME", split = ",",
            description = "Mechanism(s) to measure, repeatable or comma-separated (default: all available; see 'ipc list').")
    List<String> mechanisms = new ArrayList<>();

    @Option(names = "--sizes", paramLabel = "LIST", split = ",", defaultValue = "64,4k,64k",
            description = "Message sizes in bytes, at least " + Probe.MIN_SIZE + " (default: ${DEFAULT-VALUE}).")
    List<String> sizes;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "both",
            description = "latency, throughput or both (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "1s",
            description = "Length of each measured repeat (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--count", paramLabel = "N", description = "Messages per repeat instead of --duration.")
    Long count;

    @Option(names = "--warmup", paramLabel = "TIME", defaultValue = "500ms",
            description = "Warm-up before measuring, per mechanism and size (default: ${DEFAULT-VALUE}).")
    String warmup;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "3",
            description = "Measured repeats; their spread is reported (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--timeout", paramLabel = "TIME", defaultValue = "10s",
            description = "Longest wait for one message before the run fails (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Mixin
    ChannelOptions channelOptions;

    @Option(names = "--connect", paramLabel = "HOST:PORT",
            description = "Measure against an 'ipc serve' elsewhere (tcp/udp) instead of starting a peer.")
    String connect;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON (docs/results-schema.md).")
    Path json;

    @Option(names = "--csv", paramLabel = "FILE", description = "Also write the results as CSV.")
    Path csv;

    @Option(names = {"-q", "--quiet"}, description = "No progress lines.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        BenchConfig cfg = config();
        checkOutput(json);
        checkOutput(csv);
        if (connect == null) Benchmark.preflight(cfg);
        PrintStream out = System.out;
        Map<String, String> env = Environment.capture();
        Runner runner = new Runner(NanoClock.SYSTEM, BenchCommand::processCpuNanos, Runner::newHistogram);
        TerminalProgress progress = new TerminalProgress(quiet);
        Benchmark benchmark = new Benchmark(runner, progress);
        String startedAt = Instant.now().toString();

        out.println("ipc bench: " + describe(cfg));
        AtomicBoolean finished = new AtomicBoolean();
        Thread onInterrupt = new Thread(() -> {
            if (finished.get()) return;
            Results.Report partial = benchmark.report(cfg, env, VersionProvider.version(), startedAt, true);
            progress.clear();
            ResultWriters.table(partial, out);
            save(partial);
            out.flush();
        }, "ipclab-save-partial");
        Runtime.getRuntime().addShutdownHook(onInterrupt);

        Results.Report report;
        try {
            report = connect != null
                    ? remote(cfg, runner, env, startedAt)
                    : benchmark.run(cfg, env, VersionProvider.version());
        } finally {
            finished.set(true); // from here on, only an interruption leaves results to save
        }
        progress.clear();
        ResultWriters.header(report, out);
        ResultWriters.table(report, out);
        ResultWriters.parameters(report, out);
        save(report);
        boolean allOk = report.measurements().stream().allMatch(Results.Measurement::ok);
        return allOk && !report.measurements().isEmpty() ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    private void save(Results.Report report) {
        try {
            if (json != null) {
                ResultWriters.json(report, json);
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

    private Results.Report remote(BenchConfig cfg, Runner runner, Map<String, String> env,
                                  String startedAt) throws IOException {
        ChannelProvider p = Providers.get(cfg.mechanisms().get(0));
        ChannelSpec spec = ChannelSpec.of(p.name(), cfg.options());
        List<Results.Measurement> measurements = new ArrayList<>();
        try (Channel ch = p.connect(spec, cfg.timeout())) {
            ServeCommand.awaitHello(ch, cfg.timeout());
            RemoteTarget target = new RemoteTarget(p.name(), ch, p.has(Capability.RELIABLE), Map.of("server", connect));
            for (int size : cfg.sizes()) {
                for (Mode m : cfg.modes()) {
                    Results.Measurement r = m == Mode.LATENCY ? runner.latency(target, size, cfg) : runner.throughput(target, size, cfg);
                    measurements.add(r);
                }
            }
            ServeCommand.sayStop(ch);
        }
        return new Results.Report("ipclab", VersionProvider.version(), startedAt, env, cfg, measurements, List.of(), false);
    }

    /** Validates every option before anything runs: bad input never starts a peer. */
    BenchConfig config() {
        Map<String, String> options = channelOptions.toMap();
        List<String> names = new ArrayList<>(new LinkedHashSet<>(mechanisms));
        boolean explicit = !names.isEmpty();
        if (connect != null) {
            if (names.size() != 1) throw new BadInputException("--connect needs exactly one --mechanism (tcp or udp)");
            int colon = connect.lastIndexOf(':');
            if (colon <= 0 || colon == connect.length() - 1) {
                throw new BadInputException("--connect '" + connect + "' is not HOST:PORT");
            }
            options.put("host", connect.substring(0, colon));
            options.put("port", connect.substring(colon + 1));
        }
        if (!explicit) names = Providers.all().stream().map(ChannelProvider::name).toList();
        List<ChannelProvider> providers = new ArrayList<>();
        for (String n : names) {
            ChannelProvider p = Providers.get(n);
            if (explicit && p.unavailableBecause().isPresent()) {
                throw new BadInputException("mechanism '" + n + "' is not available here: " + p.unavailableBecause().get());
            }
            providers.add(p);
        }
        List<Integer> sizeList = new ArrayList<>();
        for (String s : sizes) {
            long v = Units.parseSize("size", s);
            if (v < Probe.MIN_SIZE) {
                throw new BadInputException("size " + s + " is too small: a benchmark message carries a "
                        + Probe.MIN_SIZE + "-byte header (sequence, checksum, timestamp); use at least " + Probe.MIN_SIZE);
            }
            for (ChannelProvider p : providers) {
                if (explicit && v > p.maxMessageSize()) {
                    throw new BadInputException("size " + s + " (" + v + " bytes) is over the " + p.name() + " maximum of "
                            + Units.formatSize(p.maxMessageSize()) + " (" + p.maxMessageSize() + " bytes)");
                }
            }
            if (v > Integer.MAX_VALUE) throw new BadInputException("size " + s + " is too large");
            sizeList.add((int) v);
        }
        for (String key : options.keySet()) {
            boolean known = providers.stream().anyMatch(p -> p.options().stream().map(MechanismOption::name).anyMatch(key::equals));
            if (!known) {
                throw new BadInputException("option '" + key + "' is not understood by "
                        + providers.stream().map(ChannelProvider::name).collect(Collectors.joining(", ")));
            }
        }
        List<Mode> modes;
        switch (mode.toLowerCase(Locale.ROOT)) {
            case "latency": modes = List.of(Mode.LATENCY); break;
            case "throughput": modes = List.of(Mode.THROUGHPUT); break;
            case "both": modes = List.of(Mode.LATENCY, Mode.THROUGHPUT); break;
            default: throw new BadInputException("--mode '" + mode + "' is not one of latency, throughput, both");
        }
        if (repeat < 1) throw new BadInputException("--repeat " + repeat + " must be at least 1");
        if (repeat < 3) System.err.println("ipc bench: warning: --repeat " + repeat + " gives no meaningful spread; 3 or more is better");
        if (count != null && count < 1) throw new BadInputException("--count " + count + " must be at least 1");
        Duration d = Units.parseDuration("--duration", duration);
        if (count == null && d.isZero()) throw new BadInputException("--duration must be more than 0");
        Duration w = Units.parseDuration("--warmup", warmup);
        Duration t = Units.parseDuration("--timeout", timeout);
        if (t.isZero()) throw new BadInputException("--timeout must be more than 0");
        return new BenchConfig(providers.stream().map(ChannelProvider::name).toList(), modes, sizeList, w, d,
                count == null ? 0 : count, repeat, t, options);
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
                + " | warm-up " + Units.format(c.warmup()) + ", " + c.repeat() + " × "
                + (c.count() > 0 ? c.count() + " messages" : Units.format(c.duration()))
                + (c.options().isEmpty() ? "" : " | options " + c.options());
    }

    static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
        }
        return 0;
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
