package org.ipclab.bench;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.ipclab.bench.baseline.NativeBaseline;
import org.ipclab.bench.baseline.NativeResult;
import org.ipclab.bench.counters.CounterWindow;
import org.ipclab.bench.counters.MeasureWindow;
import org.ipclab.core.BadInputException;
import org.ipclab.core.Capability;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.ExitCleanup;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.Providers;
import org.ipclab.core.Units;
import org.ipclab.core.peer.PeerLauncher;
import org.ipclab.core.peer.PeerProtocol;
import org.ipclab.core.peer.PeerSession;

/**
 * The matrix: every mechanism × size × mode, each mechanism against its own peer process. A
 * mechanism that fails is recorded as failed and the matrix goes on with a fresh peer.
 */
public final class Benchmark {
    private static final Duration PEER_START = Duration.ofSeconds(30);

    private final Runner runner;
    private final Progress progress;
    private Placement placement = Placement.none();
    private NativeBaseline baseline;
    private boolean kernelCounters = true;
    private final List<Results.Measurement> done = Collections.synchronizedList(new ArrayList<>());
    private final List<String> notes = Collections.synchronizedList(new ArrayList<>());

    public Benchmark(Runner runner, Progress progress) {
        this.runner = runner;
        this.progress = progress;
    }

    /** Pins the runner now and every peer as it starts. */
    public Benchmark placement(Placement placement) {
        this.placement = placement;
        return this;
    }

    /** Measures the native C program right after each Java measurement, for the Java/C ratio. */
    public Benchmark baseline(NativeBaseline nativeBaseline) {
        this.baseline = nativeBaseline;
        return this;
    }

    /** Reads the kernel's counters (/proc, perf) of both processes over every measured phase; on by default. */
    public Benchmark kernelCounters(boolean on) {
        this.kernelCounters = on;
        return this;
    }

    /** One planned measurement: a mechanism as described for the run's spec, a mode and a size. */
    record Item(ChannelProvider provider, ChannelSpec spec, MechanismInfo info, Mode mode, int size) {
        String label() {
            return info.name() + " " + mode.label() + " " + Units.formatSize(size);
        }
    }

    /** The items to run, with notes for what is skipped and why (unavailable, size over the maximum, no sink). */
    List<Item> plan(BenchConfig cfg) {
        List<Item> items = new ArrayList<>();
        for (String name : cfg.mechanisms()) {
            ChannelProvider p = Providers.get(name);
            ChannelSpec spec = spec(p, cfg);
            MechanismInfo info = p.describe(spec);
            if (!info.available()) {
                notes.add(name + ": not available here: " + info.unavailableBecause().get());
                continue;
            }
            PeerProtocol protocol = PeerProtocol.of(info);
            if (!protocol.sinks()) {
                // A notification channel: one message size, its own; no sink, so latency only.
                if (cfg.rate() > 0) {
                    notes.add(name + ": skipped: open-loop latency needs a timestamped probe, and a " + info.maxMessageSize()
                            + "-byte notification has no room for one");
                    continue;
                }
                items.add(new Item(p, spec, info, Mode.LATENCY, info.maxMessageSize()));
                notes.add(name + ": a notification channel carrying " + info.maxMessageSize() + " bytes per message:"
                        + " measured at that size, latency only");
                continue;
            }
            List<Integer> skipped = new ArrayList<>();
            for (int size : cfg.sizes()) {
                if (size > info.maxMessageSize()) {
                    skipped.add(size);
                    continue;
                }
                for (Mode mode : cfg.modes()) items.add(new Item(p, spec, info, mode, size));
            }
            if (!skipped.isEmpty()) {
                notes.add(name + ": sizes " + skipped.stream().map(Units::formatSize).collect(Collectors.joining(", "))
                        + " skipped, over its maximum message of " + Units.formatSize(info.maxMessageSize()));
            }
        }
        return items;
    }

    /**
     * Opens and closes each mechanism's server end once, so that input only the kernel can judge
     * (a port in use, a path that is not ours) is refused before any peer starts.
     */
    public static void preflight(BenchConfig cfg) throws IOException {
        for (String name : cfg.mechanisms()) {
            ChannelProvider p = Providers.get(name);
            ChannelSpec spec = spec(p, cfg);
            if (!p.describe(spec).available()) continue;
            p.open(spec).close();
        }
    }

    public Results.Report run(BenchConfig cfg, Map<String, String> environment, String version) {
        String startedAt = Instant.now().toString();
        List<Item> items = plan(cfg);
        for (MechanismInfo info : items.stream().map(Item::info).distinct().toList()) {
            String spin = placement.spinWarning(info);
            if (spin != null) notes.add(spin);
        }
        notes.forEach(progress::warn);
        long perItem = cfg.warmup().toNanos() + cfg.duration().toNanos() * cfg.repeat()
                + (baseline == null ? 0 : cfg.warmup().toNanos() + cfg.duration().toNanos());
        PeerSession session = null;
        String sessionFor = null;
        List<Deferred> cRuns = new ArrayList<>();
        try {
            for (int i = 0; i < items.size() && !ExitCleanup.shuttingDown(); i++) {
                Item item = items.get(i);
                progress.started(i + 1, items.size(), item.label(), Duration.ofNanos(perItem * (items.size() - i)));
                if (session != null && !item.provider().name().equals(sessionFor)) {
                    session.close();
                    session = null;
                    runBaselines(cRuns, cfg, items.size(), perItem * (items.size() - i));
                }
                if (session == null) {
                    try {
                        session = PeerLauncher.launch(item.provider(), item.spec(), PEER_START);
                        sessionFor = item.provider().name();
                        placement.pinPeer(session.pid());
                    } catch (BadInputException e) {
                        throw e; // the user's input (a port in use, a path not ours): stop, nothing to measure
                    } catch (IOException | RuntimeException e) {
                        record(failed(item, e.getMessage()));
                        continue;
                    }
                }
                Target target = new PeerTarget(session);
                runner.window(kernelCounters ? CounterWindow.pair(session.pid()) : MeasureWindow.NONE);
                Results.Measurement m = measure(runner, target, item.mode(), item.size(), cfg);
                if (ExitCleanup.shuttingDown()) break; // interrupted: this one was cut short, do not report it as measured
                if (baseline != null && m.summary() != null) cRuns.add(new Deferred(done.size(), i + 1, item, m));
                record(m);
                if ("failed".equals(m.status())) {
                    session.close(); // the channel may be mid-message; the next item gets a fresh peer
                    session = null;
                    runBaselines(cRuns, cfg, items.size(), perItem * (items.size() - i));
                }
            }
        } finally {
            if (session != null) session.close();
        }
        runBaselines(cRuns, cfg, items.size(), 0);
        return report(cfg, environment, version, startedAt, false);
    }

    /** A Java measurement whose C figure is still to be taken, and where it sits in the results. */
    private record Deferred(int index, int number, Item item, Results.Measurement java) {
    }

    /**
     * The C figures of the mechanism just measured, taken after its Java peer has exited: a peer
     * JVM that busy-waits for its next command would otherwise share a CPU with the C pair (it
     * halved the C shm throughput at 1 MiB), and even an idle one is a process more on the machine.
     */
    private void runBaselines(List<Deferred> cRuns, BenchConfig cfg, int total, long javaLeftNanos) {
        long perRun = cfg.warmup().toNanos() + cfg.duration().toNanos();
        for (int k = 0; k < cRuns.size(); k++) {
            Deferred d = cRuns.get(k);
            if (ExitCleanup.shuttingDown()) break;
            progress.started(d.number(), total, d.item().label() + ", the C program",
                    Duration.ofNanos(javaLeftNanos + perRun * (cRuns.size() - k)));
            done.set(d.index(), d.java().withBaseline(nativeFigure(d.item(), cfg, d.java())));
        }
        cRuns.clear();
    }

    /**
     * Measures a server started elsewhere ({@code ipc serve}), recording each result as it comes,
     * so that an interruption or a server that goes wrong midway still leaves what was measured.
     */
    public Results.Report runRemote(Target target, BenchConfig cfg, Map<String, String> environment, String version) {
        String startedAt = Instant.now().toString();
        int total = cfg.sizes().size() * cfg.modes().size();
        int i = 0;
        for (int size : cfg.sizes()) {
            for (Mode mode : cfg.modes()) {
                if (ExitCleanup.shuttingDown()) return report(cfg, environment, version, startedAt, true);
                progress.started(++i, total, target.mechanism() + " " + mode.label() + " " + Units.formatSize(size),
                        Duration.ofNanos((cfg.warmup().toNanos() + cfg.duration().toNanos() * cfg.repeat()) * (total - i + 1)));
                Results.Measurement m = measure(runner, target, mode, size, cfg);
                record(m);
                // A failed exchange may leave the connection mid-message: what follows would not be measured honestly.
                if ("failed".equals(m.status())) return report(cfg, environment, version, startedAt, true);
            }
        }
        return report(cfg, environment, version, startedAt, false);
    }

    /** One measurement of a mode: closed-loop or open-loop latency, or throughput. */
    public static Results.Measurement measure(Runner runner, Target target, Mode mode, int size, BenchConfig cfg) {
        if (mode == Mode.THROUGHPUT) return runner.throughput(target, size, cfg);
        return cfg.rate() > 0 ? runner.openLoopLatency(target, size, cfg) : runner.latency(target, size, cfg);
    }

    /** The C program over the same mechanism, mode and size; null when there is no C counterpart. */
    private Results.Baseline nativeFigure(Item item, BenchConfig cfg, Results.Measurement java) {
        Optional<String> program = item.info().nativeProgram();
        if (program.isEmpty()) return null;
        try {
            NativeResult c = baseline.run(program.get(), item.mode().label(), item.size(), cfg.warmup(), cfg.duration(),
                    item.mode() == Mode.LATENCY ? cfg.rate() : 0);
            if (!c.integrityOk(item.info().has(Capability.RELIABLE))) {
                // A C run that lost or corrupted messages measured something else: no ratio from it.
                return new Results.Baseline(program.get(), null, null, null, null, null, null, null,
                        "the C program's run failed its integrity check: sent " + c.sent() + ", lost " + c.lost()
                                + ", reordered " + c.reordered() + ", corrupt " + c.corrupt() + ", duplicates " + c.duplicates());
            }
            if (item.mode() == Mode.LATENCY) {
                Results.Latency l = java.summary().latency();
                return new Results.Baseline(program.get(), c.p50Us(), c.p99Us(), null, null,
                        ratio(l.p50Us(), c.p50Us()), ratio(l.p99Us(), c.p99Us()), null, null, c.counters(), c.cpu());
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
    public Results.Report report(BenchConfig cfg, Map<String, String> environment, String version,
                                 String startedAt, boolean partial) {
        return new Results.Report("ipclab", version, startedAt, environment, cfg,
                List.copyOf(done), List.copyOf(notes), partial);
    }

    private void record(Results.Measurement m) {
        done.add(m);
        progress.finished(m);
    }

    /** The options of the run that this provider understands. */
    static ChannelSpec spec(ChannelProvider p, BenchConfig cfg) {
        return Providers.specFor(p, cfg.options());
    }

    private static Results.Measurement failed(Item item, String error) {
        return new Results.Measurement(item.provider().name(), item.mode().label(), item.size(), "failed", error,
                Map.of(), List.of(), null, null, null);
    }
}
