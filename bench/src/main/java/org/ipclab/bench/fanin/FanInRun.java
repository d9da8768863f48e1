package org.ipclab.bench.fanin;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.ipclab.bench.BenchConfig;
import org.ipclab.bench.Mode;
import org.ipclab.bench.Progress;
import org.ipclab.bench.Results;
import org.ipclab.bench.baseline.NativeBaseline;
import org.ipclab.bench.baseline.NativeResult;
import org.ipclab.core.Capability;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.ExitCleanup;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.Providers;
import org.ipclab.core.Units;
import org.ipclab.core.peer.PeerProtocol;

/**
 * {@code ipc bench --clients 1,4,16,64}: every mechanism × size × mode × N, each a fan-in run
 * ({@link FanIn}) with the C fan-in right after it for the Java/C ratio. A mechanism that cannot
 * fan in is skipped with the reason its description gives.
 */
public final class FanInRun {
    private final Progress progress;
    private final NativeBaseline baseline;
    private final List<Results.Measurement> done = Collections.synchronizedList(new ArrayList<>());
    private final List<String> notes = Collections.synchronizedList(new ArrayList<>());

    private java.util.function.BiConsumer<String, org.HdrHistogram.Histogram> histograms = (label, h) -> { };
    private List<String> clientJvm = FanIn.CLIENT_JVM;

    /** {@code baseline} null: Java only. */
    public FanInRun(Progress progress, NativeBaseline baseline) {
        this.progress = progress;
        this.baseline = baseline;
    }

    /** Receives each row's merged latency histogram (--hgrm, --hlog), as the runner's do. */
    public FanInRun onHistogram(java.util.function.BiConsumer<String, org.HdrHistogram.Histogram> sink) {
        this.histograms = sink;
        return this;
    }

    /** The client JVMs' flags ({@code --client-jvm}); {@link FanIn#CLIENT_JVM} unless told. */
    public FanInRun clientJvm(List<String> flags) {
        this.clientJvm = List.copyOf(flags);
        return this;
    }

    /**
     * Parses {@code --client-jvm}'s space-separated JVM flags and refuses, before N clients fail
     * alike, a word that is not a flag or a set the JVM will not start with (its own first line says why).
     */
    public static List<String> parseClientJvm(String flags) {
        List<String> list = new ArrayList<>();
        for (String f : flags.trim().split("\\s+")) {
            if (f.isEmpty()) continue;
            if (!f.startsWith("-") || f.equals("-cp") || f.equals("-classpath") || f.startsWith("--class-path") || f.equals("-jar")) {
                throw new org.ipclab.core.BadInputException("--client-jvm '" + flags + "': '" + f
                        + "' is not a JVM flag (each word starts with '-'; the class path and main class are the tool's)");
            }
            list.add(f);
        }
        if (list.isEmpty()) return list;
        List<String> probe = new ArrayList<>();
        probe.add(org.ipclab.core.peer.PeerLauncher.javaBinary());
        probe.addAll(FanIn.clientJvmFlags(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments(), List.of(), list));
        probe.add("-version");
        try {
            Process p = new ProcessBuilder(probe).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                String why = err.lines().filter(l -> !l.isBlank()).findFirst().orElse("exit " + p.exitValue());
                throw new org.ipclab.core.BadInputException("--client-jvm '" + flags + "': the JVM will not start with it: " + why);
            }
        } catch (IOException e) {
            throw new org.ipclab.core.BadInputException("--client-jvm '" + flags + "': could not start " + probe.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new org.ipclab.core.BadInputException("--client-jvm: interrupted while trying the flags");
        }
        return list;
    }

    /**
     * Refuses, before anything starts, what cannot run: counts over the machine's limits, open loop,
     * a size over what N writers may send into a mechanism's one shared channel (its description's limit).
     */
    public static void check(BenchConfig cfg, List<Integer> counts) {
        if (cfg.rate() > 0) throw new org.ipclab.core.BadInputException("--clients measures closed-loop round trips and streams; drop --rate");
        if (cfg.count() > 0) throw new org.ipclab.core.BadInputException("--clients measures N clients over one shared window of --duration; drop --count");
        for (int n : counts) FanInLimits.check(n);
        for (String name : cfg.mechanisms()) {
            ChannelProvider p = Providers.get(name);
            ChannelSpec spec = Providers.specFor(p, cfg.options());
            MechanismInfo info = p.describe(spec);
            if (FanIn.cannotFanIn(info).isPresent() || info.has(Capability.CONCURRENT_SESSIONS)) continue; // skipped with its reason; a session each
            for (int size : cfg.sizes()) {
                if (size > info.maxMessageSize()) continue; // skipped: over its maximum message at all
                for (int n : counts) {
                    FanIn.tooLargeForWriters(p, spec, size, n).ifPresent(why -> {
                        throw new org.ipclab.core.BadInputException("--clients " + n + " --sizes " + size + ": " + why);
                    });
                }
            }
        }
    }

    private record Item(ChannelProvider provider, ChannelSpec spec, MechanismInfo info, Mode mode, int size, int clients) {
    }

    public Results.Report run(BenchConfig cfg, List<Integer> counts, Map<String, String> environment, String version) {
        String startedAt = Instant.now().toString();
        List<Item> items = new ArrayList<>();
        for (String name : cfg.mechanisms()) {
            ChannelProvider p = Providers.get(name);
            ChannelSpec spec = Providers.specFor(p, cfg.options());
            MechanismInfo info = p.describe(spec);
            Optional<String> why = info.unavailableBecause().map(w -> "not available here: " + w).or(() -> FanIn.cannotFanIn(info))
                    .or(() -> PeerProtocol.of(info).sinks() ? Optional.empty() : Optional.of("no sink protocol"));
            if (why.isPresent()) {
                notes.add(name + ": skipped for --clients: " + why.get());
                continue;
            }
            if (cfg.modes().contains(Mode.LATENCY)) FanIn.noLatency(info).ifPresent(w -> notes.add(name + ": --clients latency skipped: " + w));
            for (int size : cfg.sizes()) {
                if (size > info.maxMessageSize()) {
                    notes.add(name + ": size " + Units.formatSize(size) + " skipped, over its maximum message of " + Units.formatSize(info.maxMessageSize()));
                    continue;
                }
                for (Mode mode : cfg.modes()) {
                    if (mode == Mode.LATENCY && FanIn.noLatency(info).isPresent()) continue;
                    for (int n : counts) items.add(new Item(p, spec, info, mode, size, n));
                }
            }
        }
        if (cfg.repeat() > 1) {
            notes.add("--clients: one measured window of --duration per row, shared by the N clients; --repeat " + cfg.repeat() + " is not used");
        }
        notes.forEach(progress::warn);
        for (int i = 0; i < items.size() && !ExitCleanup.shuttingDown(); i++) {
            Item it = items.get(i);
            long each = cfg.warmup().plus(cfg.duration()).multipliedBy(baseline == null ? 1 : 2).toNanos();
            progress.started(i + 1, items.size(), it.info().name() + " " + it.mode().label() + " " + Units.formatSize(it.size())
                    + " ×" + it.clients(), Duration.ofNanos(each * (items.size() - i)));
            Results.Measurement m = new FanIn().clientJvm(clientJvm).onHistogram(histograms).measure(it.provider(), it.spec(), it.mode(), it.size(), it.clients(), cfg);
            if (ExitCleanup.shuttingDown()) break;
            if (baseline != null && m.summary() != null) m = m.withBaseline(nativeFigure(it, cfg, m));
            done.add(m);
            progress.finished(m);
        }
        return report(cfg, environment, version, startedAt, false);
    }

    /** The C fan-in over the same mechanism, mode, size and N; null when the mechanism has no C program. */
    private Results.Baseline nativeFigure(Item it, BenchConfig cfg, Results.Measurement java) {
        Optional<String> program = it.info().nativeProgram();
        if (program.isEmpty()) return null;
        try {
            NativeResult c = baseline.runFanIn(program.get(), it.mode().label(), it.size(), cfg.warmup(), cfg.duration(), it.clients());
            if (!c.integrityOk(it.info().has(Capability.RELIABLE))) {
                return new Results.Baseline(program.get(), null, null, null, null, null, null, null,
                        "the C fan-in failed its integrity check: sent " + c.sent() + ", lost " + c.lost()
                                + ", reordered " + c.reordered() + ", corrupt " + c.corrupt());
            }
            if (it.mode() == Mode.LATENCY) {
                // N clients' round trips per second, summed, beside the merged percentiles.
                Results.Latency l = java.summary().latency();
                Double rate = java.repeats().isEmpty() ? null : java.repeats().get(0).msgsPerSec();
                return new Results.Baseline(program.get(), c.p50Us(), c.p99Us(), c.msgsPerSecond(), null,
                        ratio(l.p50Us(), c.p50Us()), ratio(l.p99Us(), c.p99Us()), rate == null ? null : ratio(rate, c.msgsPerSecond()),
                        null, c.counters(), c.cpu());
            }
            return new Results.Baseline(program.get(), null, null, c.msgsPerSecond(), c.mbPerSecond(), null, null,
                    ratio(java.summary().msgsPerSec(), c.msgsPerSecond()), null, c.counters(), c.cpu());
        } catch (IOException | RuntimeException e) {
            return new Results.Baseline(program.get(), null, null, null, null, null, null, null, e.getMessage());
        }
    }

    private static Double ratio(double java, double c) {
        return c > 0 && Double.isFinite(c) ? java / c : null;
    }

    /** What was measured so far, e.g. when the run is interrupted. */
    public Results.Report report(BenchConfig cfg, Map<String, String> environment, String version, String startedAt, boolean partial) {
        return new Results.Report("ipclab", version, startedAt, environment, cfg, List.copyOf(done), List.copyOf(notes), partial);
    }
}
