package org.ipclab.bench.scale;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import java.util.concurrent.CountDownLatch;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.HdrHistogram.Histogram;
import org.ipclab.bench.BenchConfig;
import org.ipclab.bench.Benchmark;
import org.ipclab.bench.Mode;
import org.ipclab.bench.NanoClock;
import org.ipclab.bench.PeerTarget;
import org.ipclab.bench.Placement;
import org.ipclab.bench.Progress;
import org.ipclab.bench.Results;
import org.ipclab.bench.Runner;
import org.ipclab.bench.baseline.NativeBaseline;
import org.ipclab.bench.baseline.NativeResult;
import org.ipclab.bench.counters.CounterWindow;
import org.ipclab.bench.counters.MeasureWindow;
import org.ipclab.bench.counters.ProcFiles;
import org.ipclab.core.BadInputException;
import org.ipclab.core.Capability;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.ExitCleanup;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.Names;
import org.ipclab.core.Providers;
import org.ipclab.core.Units;
import org.ipclab.core.peer.PeerLauncher;
import org.ipclab.core.peer.PeerProtocol;
import org.ipclab.core.peer.PeerSession;

/**
 * {@code ipc bench --pairs 1,2,4,8}: N independent pairs on the same mechanism at once, each with its
 * own peer JVM and its own kernel objects (each server end names its objects afresh, as
 * {@link Names#unique} makes them), driven by N runner threads in this JVM whose measured phases
 * start together. Each row is the aggregate of the N pairs — latency from their histograms merged
 * exactly ({@code Histogram.add}), rates summed over the same window, counters over all processes
 * — with each pair beside it ({@link PairsFigures}). Then the C baseline runs the same N at once: N
 * C runners, each forking its peer, their RTT samples merged into one histogram the same way.
 *
 * <p>A pair that fails (its peer killed, say) is reported failed and the others finish; its peer is
 * replaced by a fresh one for the next row. Every peer and kernel object is removed at the end, on
 * failure, and on Ctrl-C ({@link ExitCleanup}).
 */
public final class PairsRun {
    private static final Duration PEER_START = Duration.ofSeconds(30);
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final Progress progress;
    private Placement placement = Placement.none();
    private String placementLabel;
    private NativeBaseline baseline;
    private boolean kernelCounters = true;
    private Background background;
    private BiConsumer<String, Histogram> histogramSink = (label, h) -> { };
    private BiConsumer<String, List<Long>> onStarted = (label, pids) -> { };
    private final List<Results.Measurement> done = Collections.synchronizedList(new ArrayList<>());
    private final List<String> notes = Collections.synchronizedList(new ArrayList<>());

    public PairsRun(Progress progress) {
        this.progress = progress;
    }

    /** Where every pair runs: the runner JVM (pinned by the caller) and each peer as it starts; the C pairs alike. */
    public PairsRun placement(Placement p, String label) {
        this.placement = p;
        this.placementLabel = label;
        return this;
    }

    /** The C program, placed as the Java pairs are; null: Java only. */
    public PairsRun baseline(NativeBaseline c) {
        this.baseline = c;
        return this;
    }

    public PairsRun kernelCounters(boolean on) {
        this.kernelCounters = on;
        return this;
    }

    /** A load that runs beside every measurement (started and stopped by the caller); null for none. */
    public PairsRun background(Background b) {
        this.background = b;
        return this;
    }

    /** Receives each merged latency histogram, labelled like {@code unix-latency-64-pairs4}. */
    public PairsRun onHistogram(BiConsumer<String, Histogram> sink) {
        this.histogramSink = sink;
        return this;
    }

    /** Told the peer pids of each row as its pairs start measuring (a test kills one). */
    public PairsRun onStarted(BiConsumer<String, List<Long>> listener) {
        this.onStarted = listener;
        return this;
    }

    /**
     * "1,2,4,8" → [1, 2, 4, 8], ascending and without repeats (the peers of a smaller N are reused
     * by the next, so none sits idle while a smaller N is measured); refused: 0, negatives, words.
     */
    public static List<Integer> parseCounts(String text, int max) {
        List<Integer> counts = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            String p = part.strip();
            int n;
            try {
                n = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new BadInputException("--pairs '" + text + "': '" + p + "' is not a whole number of pairs (e.g. --pairs 4 or --pairs 1,2,4,8)");
            }
            if (n < 1 || n > max) throw new BadInputException("--pairs '" + text + "': " + n + " pairs; the limit is 1 to " + max);
            if (!counts.contains(n)) counts.add(n);
        }
        Collections.sort(counts);
        return List.copyOf(counts);
    }

    /** The most pairs one run may ask for: each is a JVM; the machine limits are checked on top ({@link MachineLimits}). */
    public static final int MAX_PAIRS = 1024;

    /** The process shape in general, for the run's header: "Java: 1 runner JVM × N threads + N peer JVMs; ...". */
    public static String shapeOfN(boolean withC) {
        return "Java: 1 runner JVM × N threads + N peer JVMs" + (withC ? "; C: N C runner processes + N forked C peers" : "");
    }

    /** The process shape of N pairs, Java and C, as echoed in every row. */
    public static String shape(int n, boolean withC) {
        return "Java: 1 runner JVM × " + n + " thread" + (n == 1 ? "" : "s") + " + " + n + " peer JVM" + (n == 1 ? "" : "s")
                + (withC ? "; C: " + n + " C runner process" + (n == 1 ? "" : "es") + " + " + n + " forked C peer" + (n == 1 ? "" : "s") : "");
    }

    /** Checks each mechanism against the machine for the largest N, before anything starts. */
    public static void preflight(BenchConfig cfg, List<Integer> counts) throws IOException {
        int most = counts.get(counts.size() - 1);
        for (String name : cfg.mechanisms()) {
            ChannelProvider p = Providers.get(name);
            ChannelSpec spec = Providers.specFor(p, cfg.options());
            if (!p.describe(spec).available()) continue;
            MachineLimits.check(p, spec, most);
        }
    }

    /** One row to measure. */
    private record Item(ChannelProvider provider, ChannelSpec spec, MechanismInfo info, Mode mode, int size, int pairs) {
        String label() {
            return info.name() + " " + mode.label() + " " + Units.formatSize(size) + " ×" + pairs + " pairs";
        }
    }

    private List<Item> plan(BenchConfig cfg, List<Integer> counts) {
        List<Item> items = new ArrayList<>();
        for (String name : cfg.mechanisms()) {
            ChannelProvider p = Providers.get(name);
            ChannelSpec spec = Providers.specFor(p, cfg.options());
            MechanismInfo info = p.describe(spec);
            if (!info.available()) {
                notes.add(name + ": not available here: " + info.unavailableBecause().get());
                continue;
            }
            String spin = placement.spinWarning(info);
            if (spin != null) notes.add(spin);
            if (info.has(Capability.BUSY_WAITS) && counts.get(counts.size() - 1) > 1) {
                notes.add(name + " busy-waits: with more spinning pairs than CPUs (" + Runtime.getRuntime().availableProcessors()
                        + " here) the pairs take turns on the CPUs; the curve shows where that starts");
            }
            boolean sinks = PeerProtocol.of(info).sinks();
            for (int n : counts) {
                if (!sinks) {
                    items.add(new Item(p, spec, info, Mode.LATENCY, info.maxMessageSize(), n));
                    continue;
                }
                for (int size : cfg.sizes()) {
                    if (size > info.maxMessageSize()) continue;
                    for (Mode mode : cfg.modes()) items.add(new Item(p, spec, info, mode, size, n));
                }
            }
            List<Integer> over = cfg.sizes().stream().filter(s -> s > info.maxMessageSize()).toList();
            if (sinks && !over.isEmpty()) notes.add(name + ": sizes " + over.stream().map(Units::formatSize).collect(Collectors.joining(", "))
                    + " skipped, over its maximum message of " + Units.formatSize(info.maxMessageSize()));
        }
        return items;
    }

    public Results.Report run(BenchConfig cfg, List<Integer> counts, Map<String, String> environment, String version) {
        String startedAt = Instant.now().toString();
        if (cfg.rate() > 0) throw new BadInputException("--rate with --pairs is not measured: open-loop pairs would need one schedule across all of them; drop one");
        List<Item> items = plan(cfg, counts);
        notes.forEach(progress::warn);
        long perItem = cfg.warmup().toNanos() + cfg.duration().toNanos() * cfg.repeat()
                + (baseline == null ? 0 : cfg.warmup().toNanos() + cfg.duration().toNanos());
        Pool pool = new Pool();
        ExitCleanup.register(pool);
        try {
            for (int i = 0; i < items.size() && !ExitCleanup.shuttingDown(); i++) {
                Item item = items.get(i);
                progress.started(i + 1, items.size(), item.label(), Duration.ofNanos(perItem * (items.size() - i)));
                if (!item.provider().name().equals(pool.mechanism)) pool.closeAll();
                pool.mechanism = item.provider().name();
                if (background != null) background.mark();
                Results.Measurement m = measure(item, cfg, pool);
                if (ExitCleanup.shuttingDown()) break; // cut short by Ctrl-C: not a measurement
                done.add(m);
                progress.finished(m);
            }
        } finally {
            pool.close();
            ExitCleanup.forget(pool);
        }
        return report(cfg, environment, version, startedAt, false);
    }

    /** What was measured so far, e.g. when the run is interrupted. */
    public Results.Report report(BenchConfig cfg, Map<String, String> environment, String version, String startedAt, boolean partial) {
        return new Results.Report("ipclab", version, startedAt, environment, cfg, List.copyOf(done), List.copyOf(notes), partial);
    }

    // ------------------------------------------------------------------ one row: N Java pairs, then N C pairs

    private Results.Measurement measure(Item item, BenchConfig cfg, Pool pool) {
        int n = item.pairs();
        List<PeerSession> sessions;
        try {
            sessions = pool.take(item, n);
        } catch (BadInputException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            return failedRow(item, "could not start " + n + " peers: " + e.getMessage());
        }
        List<CounterWindow.Watched> watched = new ArrayList<>();
        watched.add(new CounterWindow.Watched("runner", ProcessHandle.current().pid()));
        for (int i = 0; i < n; i++) watched.add(new CounterWindow.Watched("peer " + (i + 1), sessions.get(i).pid()));
        // each pair's runner thread as a group of its own too, for the pair's counters (the runner JVM is read once)
        for (int i = 0; i < n; i++) watched.add(new CounterWindow.Watched(PAIR_THREAD + (i + 1), ProcessHandle.current().pid(), PAIR_THREAD + (i + 1)));
        GroupWindow group = new GroupWindow(kernelCounters ? new CounterWindow(ProcFiles.SYSTEM, watched, true) : MeasureWindow.NONE, n);
        PairResult[] results = new PairResult[n];
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int index = i;
            PeerSession session = sessions.get(i);
            Thread t = new Thread(() -> results[index] = runPair(index, session, item, cfg, group.member(), go), PAIR_THREAD + (i + 1));
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        onStarted.accept(item.label(), sessions.stream().map(PeerSession::pid).toList());
        go.countDown();
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return failedRow(item, "interrupted");
            }
        }
        for (int i = 0; i < n; i++) if (!results[i].measurement.ok()) pool.discard(i); // a fresh peer for the next row
        Results.Measurement row = aggregate(item, results, group.counters());
        Results.Baseline c = null;
        List<PairsFigures.Pair> cPairs = List.of();
        if (baseline != null && item.info().nativeProgram().isPresent() && row.summary() != null) {
            NativeRow nr = nativeRow(item, cfg, row);
            c = nr.baseline;
            cPairs = nr.pairs;
        }
        List<PairsFigures.Pair> javaPairs = new ArrayList<>();
        for (PairResult r : results) javaPairs.add(r.figure(pairCounters(group.counters(), r.index, r.messages)));
        int failed = (int) javaPairs.stream().filter(p -> !"ok".equals(p.status())).count();
        String merge = "latency: the " + (n - failed) + " measured pairs' HdrHistograms merged exactly (Histogram.add), percentiles read from the merge;"
                + " rates: the pairs' rates summed (their measured phases start together, after every pair's warm-up);"
                + " counters: all processes over that common window, per message of all pairs; each pair's own: its runner thread"
                + " and its peer over that window, per message of that pair"
                + (c == null ? "" : "; C: the " + n + " C pairs started together (each warms up and measures for the same times, without a common barrier),"
                + " their RTT samples merged into one histogram the same way, rates summed");
        PairsFigures figures = new PairsFigures(n, shape(n, c != null), placementText(), merge, failed, javaPairs, cPairs,
                background == null ? null : background.figures());
        Results.Measurement out = row.withBaseline(c).withPairs(figures);
        return placementLabel == null ? out : out.withPlacement(placementLabel);
    }

    private String placementText() {
        return (placement.pinned() ? placement.describe() : "unpinned (the scheduler places every process)") + ", applied to every pair";
    }

    /** One pair's outcome: its measurement and, in latency mode, its histogram of all repeats. */
    private record PairResult(int index, Results.Measurement measurement, Histogram histogram, long messages) {
        PairsFigures.Pair figure(Results.Counters counters) {
            Results.Measurement m = measurement;
            Long pid = m.parameters().containsKey("peer pid") ? Long.valueOf(m.parameters().get("peer pid")) : null;
            Results.Latency l = m.summary() == null ? null : m.summary().latency();
            Map<String, String> objects = new LinkedHashMap<>(m.parameters());
            objects.remove("pair");
            objects.remove("peer pid");
            return new PairsFigures.Pair(index + 1, m.status(), m.error(), pid, l, rate(m), m.cpu(), m.integrity(), Map.copyOf(objects), counters);
        }
    }

    /** Round trips per second in latency mode, messages per second in throughput mode. */
    private static Double rate(Results.Measurement m) {
        if (m.summary() == null) return null;
        if (m.summary().msgsPerSec() != null) return m.summary().msgsPerSec();
        long msgs = m.repeats().stream().mapToLong(Results.Repeat::messages).sum();
        double secs = m.repeats().stream().mapToDouble(Results.Repeat::seconds).sum();
        return secs > 0 ? msgs / secs : null;
    }

    private PairResult runPair(int index, PeerSession session, Item item, BenchConfig cfg, GroupWindow.Member member, CountDownLatch go) {
        Histogram[] kept = new Histogram[1];
        PeerTarget target = new PeerTarget(session, Map.of("pair", Integer.toString(index + 1)));
        try {
            go.await();
            Runner runner = new Runner(NanoClock.SYSTEM, THREADS::getCurrentThreadCpuTime, Runner::newHistogram)
                    .window(member).onHistogram((label, h) -> kept[0] = h);
            Results.Measurement m = Benchmark.measure(runner, target, item.mode(), item.size(), cfg);
            long messages = m.repeats().stream().mapToLong(Results.Repeat::messages).sum();
            return new PairResult(index, m, kept[0], messages);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new PairResult(index, failedPair(target, item, "interrupted"), null, 0);
        } catch (RuntimeException e) {
            return new PairResult(index, failedPair(target, item, String.valueOf(e.getMessage())), null, 0);
        } finally {
            member.leave();
        }
    }

    private static Results.Measurement failedPair(PeerTarget target, Item item, String error) {
        return new Results.Measurement(item.info().name(), item.mode().label(), item.size(), "failed", error,
                target.parameters(), List.of(), null, null, null);
    }

    private static Results.Measurement failedRow(Item item, String error) {
        return new Results.Measurement(item.info().name(), item.mode().label(), item.size(), "failed", error,
                Map.of("pairs", Integer.toString(item.pairs())), List.of(), null, null, null);
    }

    /** The N pairs as one row: merged histogram, summed rates, message-weighted CPU, summed integrity. */
    private Results.Measurement aggregate(Item item, PairResult[] results, Results.Counters counters) {
        int n = results.length;
        List<PairResult> measured = Stream.of(results).filter(r -> r.measurement.summary() != null).toList();
        List<String> failures = Stream.of(results).filter(r -> !r.measurement.ok())
                .map(r -> "pair " + (r.index + 1) + " " + r.measurement.status() + ": " + r.measurement.error()).toList();
        Map<String, String> params = new LinkedHashMap<>();
        if (!measured.isEmpty()) params.putAll(measured.get(0).measurement.parameters());
        params.remove("peer pid");
        params.remove("pair");
        params.put("pairs", Integer.toString(n));
        params.put("peer pids", Stream.of(results).map(r -> r.measurement.parameters().getOrDefault("peer pid", "?")).collect(Collectors.joining(" ")));
        params.put("shape", shape(n, false));
        String status = measured.isEmpty() || failures.stream().anyMatch(f -> f.contains(" failed: ")) ? "failed"
                : failures.isEmpty() ? "ok" : "integrity";
        String error = failures.isEmpty() ? null : failures.size() + " of " + n + " pairs did not measure cleanly ("
                + String.join("; ", failures) + ")" + (measured.isEmpty() ? "" : "; the figures are the other pairs'");
        if (measured.isEmpty()) {
            return new Results.Measurement(item.info().name(), item.mode().label(), item.size(), status, error, params,
                    List.of(), null, null, null).withCounters(withoutPairThreads(counters));
        }
        long sent = 0, received = 0, lost = 0, reordered = 0, corrupt = 0, messages = 0;
        double runnerCpu = 0, peerCpu = 0;
        boolean peerCpuKnown = true;
        for (PairResult r : measured) {
            Results.Integrity i = r.measurement.integrity();
            sent += i.sent();
            received += i.received();
            lost += i.lost();
            reordered += i.reordered();
            corrupt += i.corrupt();
            messages += r.messages;
            Results.Cpu c = r.measurement.cpu();
            if (c != null && c.runnerUsPerMsg() != null) runnerCpu += c.runnerUsPerMsg() * r.messages;
            if (c == null || c.peerUsPerMsg() == null) peerCpuKnown = false;
            else peerCpu += c.peerUsPerMsg() * r.messages;
        }
        Results.Integrity integrity = new Results.Integrity(sent, received, lost, reordered, corrupt);
        Results.Cpu cpu = messages == 0 ? new Results.Cpu(null, null)
                : new Results.Cpu(runnerCpu / messages, peerCpuKnown ? peerCpu / messages : null);
        Results.Summary summary;
        if (item.mode() == Mode.LATENCY) {
            Histogram merged = Runner.newHistogram();
            for (PairResult r : measured) if (r.histogram != null) merged.add(r.histogram);
            histogramSink.accept(item.info().name() + "-latency-" + item.size() + "-pairs" + n, merged);
            summary = new Results.Summary(latencyOf(merged), spread(measured.stream().map(r -> r.measurement.summary().latency().p50Us()).toList()),
                    null, null, null, null, null, null, percentiles(merged));
        } else {
            double rate = measured.stream().mapToDouble(r -> r.measurement.summary().msgsPerSec()).sum();
            double mb = measured.stream().mapToDouble(r -> r.measurement.summary().mbPerSec()).sum();
            summary = new Results.Summary(null, null, rate, mb, spread(measured.stream().map(r -> r.measurement.summary().msgsPerSec()).toList()));
        }
        return new Results.Measurement(item.info().name(), item.mode().label(), item.size(), status, error, params,
                List.of(), summary, integrity, cpu).withCounters(sumPeers(counters));
    }

    // ------------------------------------------------------------------ the C pairs

    private record NativeRow(Results.Baseline baseline, List<PairsFigures.Pair> pairs) {
    }

    private NativeRow nativeRow(Item item, BenchConfig cfg, Results.Measurement java) {
        int n = item.pairs();
        String program = item.info().nativeProgram().get();
        String label = program + " ×" + n;
        boolean latency = item.mode() == Mode.LATENCY;
        Path dir = null;
        AutoCloseable removeDir = null;
        try {
            dir = Names.privateDirectory("pairs-c");
            Path d = dir;
            removeDir = () -> deleteTree(d);
            ExitCleanup.register(removeDir);
            NativeResult[] results = new NativeResult[n];
            String[] errors = new String[n];
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                Path samples = latency ? dir.resolve("samples-" + (i + 1)) : null;
                Thread t = new Thread(() -> {
                    try {
                        results[index] = baseline.run(program, item.mode().label(), item.size(), cfg.warmup(), cfg.duration(), 0, samples);
                        if (!results[index].integrityOk(item.info().has(Capability.RELIABLE))) {
                            errors[index] = "integrity: lost " + results[index].lost() + ", reordered " + results[index].reordered()
                                    + ", corrupt " + results[index].corrupt();
                        }
                    } catch (IOException | RuntimeException e) {
                        errors[index] = String.valueOf(e.getMessage());
                    }
                }, "ipclab-c-pair-" + (i + 1));
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) t.join();
            List<PairsFigures.Pair> pairs = new ArrayList<>();
            Histogram merged = Runner.newHistogram();
            double rate = 0, mb = 0;
            List<Results.Counters> counters = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                NativeResult r = results[i];
                if (errors[i] != null || r == null) {
                    pairs.add(new PairsFigures.Pair(i + 1, "failed", errors[i], null, null, null, null, null, Map.of()));
                    continue;
                }
                Results.Latency l = null;
                if (latency) {
                    Histogram h = readSamples(dir.resolve("samples-" + (i + 1)));
                    merged.add(h);
                    l = latencyOf(h);
                }
                rate += r.msgsPerSecond();
                mb += r.mbPerSecond();
                if (r.counters() != null) counters.add(r.counters());
                pairs.add(new PairsFigures.Pair(i + 1, "ok", null, null, l, r.msgsPerSecond(),
                        r.cpu(),
                        new Results.Integrity(r.sent(), r.received(), r.lost(), r.reordered(), r.corrupt()), Map.of()));
            }
            List<String> failed = pairs.stream().filter(p -> !"ok".equals(p.status())).map(p -> "C pair " + p.index() + ": " + p.error()).toList();
            if (!failed.isEmpty()) {
                return new NativeRow(new Results.Baseline(label, null, null, null, null, null, null, null,
                        failed.size() + " of " + n + " C pairs failed (" + String.join("; ", failed) + "); no C aggregate from the rest"), pairs);
            }
            Results.Counters c = sumCounters(counters);
            if (latency) {
                histogramSink.accept(item.info().name() + "-latency-" + item.size() + "-pairs" + n + "-c", merged);
                Results.Latency l = latencyOf(merged);
                Results.Latency jl = java.summary().latency();
                return new NativeRow(new Results.Baseline(label, l.p50Us(), l.p99Us(), rate, mb, ratio(jl.p50Us(), l.p50Us()),
                        ratio(jl.p99Us(), l.p99Us()), null, null, c), pairs);
            }
            return new NativeRow(new Results.Baseline(label, null, null, rate, mb, null, null,
                    ratio(java.summary().msgsPerSec(), rate), null, c), pairs);
        } catch (IOException e) {
            return new NativeRow(new Results.Baseline(label, null, null, null, null, null, null, null, e.getMessage()), List.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new NativeRow(new Results.Baseline(label, null, null, null, null, null, null, null, "interrupted"), List.of());
        } finally {
            if (removeDir != null) {
                try {
                    removeDir.close();
                } catch (Exception ignored) {
                    // best effort; the directory is ours and named so `ipc clean` finds it
                }
                ExitCleanup.forget(removeDir);
            }
        }
    }

    /** The C program's "nanoseconds count" lines, recorded into a histogram of the Java side's precision. */
    static Histogram readSamples(Path file) throws IOException {
        Histogram h = Runner.newHistogram();
        try (Stream<String> lines = Files.lines(file)) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.isBlank()) continue;
                String[] f = line.trim().split("\\s+");
                if (f.length != 2) throw new IOException(file + ": a samples line is not 'nanoseconds count': " + line);
                try {
                    h.recordValueWithCount(Math.max(1, Long.parseLong(f[0])), Long.parseLong(f[1]));
                } catch (NumberFormatException e) {
                    throw new IOException(file + ": a samples line is not 'nanoseconds count': " + line);
                }
            }
        }
        return h;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static Double ratio(double java, double c) {
        return c > 0 && Double.isFinite(c) ? java / c : null;
    }

    // ------------------------------------------------------------------ arithmetic

    static Results.Latency latencyOf(Histogram h) {
        if (h.getTotalCount() == 0) return new Results.Latency(0, 0, 0, 0, 0, 0, 0);
        return new Results.Latency(h.getTotalCount(), h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(90) / 1e3,
                h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3, h.getMean() / 1e3);
    }

    private static List<Results.Point> percentiles(Histogram h) {
        List<Results.Point> points = new ArrayList<>();
        if (h.getTotalCount() == 0) return points;
        for (org.HdrHistogram.HistogramIterationValue v : h.percentiles(5)) {
            points.add(new Results.Point(v.getPercentileLevelIteratedTo(), v.getValueIteratedTo() / 1e3));
            if (v.getPercentileLevelIteratedTo() >= 100) break;
        }
        return points;
    }

    /** min, median, max over the pairs: how evenly they shared the machine. */
    static Results.Spread spread(List<Double> values) {
        if (values.isEmpty()) return null;
        List<Double> s = values.stream().sorted().toList();
        double median = s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
        double min = s.get(0), max = s.get(s.size() - 1);
        return new Results.Spread(min, median, max, median == 0 ? 0 : 100 * (max - min) / median);
    }

    /** A pair's runner thread's name (comm keeps 15 characters: enough up to pair 999), and its counter group's. */
    static final String PAIR_THREAD = "ipclab-pair-";

    /**
     * One pair's counters out of the group's: its runner thread and its peer process, per message
     * of that pair; null without counters or when the pair sent nothing.
     */
    static Results.Counters pairCounters(Results.Counters all, int index, long messages) {
        if (all == null || messages <= 0) return null;
        List<Results.CounterGroup> groups = new ArrayList<>();
        for (Results.CounterGroup g : all.groups()) {
            String role = g.process().equals(PAIR_THREAD + (index + 1)) ? "runner" : g.process().equals("peer " + (index + 1)) ? "peer" : null;
            if (role == null) continue;
            Map<String, Results.Figure> figures = new LinkedHashMap<>();
            g.figures().forEach((k, f) -> figures.put(k, f.total() == null ? f : Results.Figure.of(f.total(), messages, f.source())));
            groups.add(new Results.CounterGroup(role, g.threads(), g.pid(), g.tids(), g.cpusAllowed(), g.ranOn(), figures));
        }
        return groups.isEmpty() ? null : new Results.Counters(messages, all.per(), groups, all.perf());
    }

    /** The counters without the pairs' runner-thread groups, which the runner group already holds. */
    private static Results.Counters withoutPairThreads(Results.Counters c) {
        return c == null ? null : new Results.Counters(c.messages(), c.per(),
                c.groups().stream().filter(g -> !g.process().startsWith(PAIR_THREAD)).toList(), c.perf());
    }

    /**
     * The per-process groups ("peer 1", "peer 2", ...) folded into one "peer" group per kind of
     * thread, so the aggregate row reads like a single pair's: runner and peer, per message of all
     * pairs. The pairs' runner-thread groups are left out: the runner group already holds them.
     */
    static Results.Counters sumPeers(Results.Counters c) {
        if (c == null) return null;
        Map<String, List<Results.CounterGroup>> byKey = new LinkedHashMap<>();
        for (Results.CounterGroup g : c.groups()) {
            if (g.process().startsWith(PAIR_THREAD)) continue;
            String role = g.process().startsWith("peer") ? "peer" : g.process();
            byKey.computeIfAbsent(role + "\u0000" + g.threads(), k -> new ArrayList<>()).add(g);
        }
        List<Results.CounterGroup> groups = new ArrayList<>();
        for (Map.Entry<String, List<Results.CounterGroup>> e : byKey.entrySet()) {
            String[] k = e.getKey().split("\u0000");
            groups.add(sumGroups(k[0], k[1], e.getValue(), c.messages()));
        }
        return new Results.Counters(c.messages(), c.per(), groups, c.perf());
    }

    /** Several C pairs' counters as one: totals summed, per message of all their messages. */
    static Results.Counters sumCounters(List<Results.Counters> all) {
        if (all.isEmpty()) return null;
        long messages = all.stream().mapToLong(Results.Counters::messages).sum();
        Map<String, List<Results.CounterGroup>> byKey = new LinkedHashMap<>();
        for (Results.Counters c : all) {
            for (Results.CounterGroup g : c.groups()) byKey.computeIfAbsent(g.process() + "\u0000" + g.threads(), k -> new ArrayList<>()).add(g);
        }
        List<Results.CounterGroup> groups = new ArrayList<>();
        for (Map.Entry<String, List<Results.CounterGroup>> e : byKey.entrySet()) {
            String[] k = e.getKey().split("\u0000");
            groups.add(sumGroups(k[0], k[1], e.getValue(), messages));
        }
        String perf = all.stream().map(Results.Counters::perf).filter(p -> p != null).findFirst().orElse(null);
        return new Results.Counters(messages, all.get(0).per(), groups, perf);
    }

    private static Results.CounterGroup sumGroups(String process, String threads, List<Results.CounterGroup> gs, long messages) {
        if (gs.size() == 1 && gs.get(0).process().equals(process)) return gs.get(0);
        Map<String, Results.Figure> figures = new LinkedHashMap<>();
        for (Results.CounterGroup g : gs) {
            for (Map.Entry<String, Results.Figure> f : g.figures().entrySet()) {
                Results.Figure have = figures.get(f.getKey());
                Results.Figure add = f.getValue();
                if (have == null) {
                    figures.put(f.getKey(), add.total() == null ? add : Results.Figure.of(add.total(), messages, add.source()));
                } else if (have.total() != null && add.total() != null) {
                    figures.put(f.getKey(), Results.Figure.of(have.total() + add.total(), messages, have.source()));
                } else if (have.total() != null) {
                    figures.put(f.getKey(), add); // one process could not say: the sum is unknown, and why
                }
            }
        }
        List<Long> tids = gs.stream().flatMap(g -> g.tids().stream()).toList();
        List<Integer> ranOn = gs.stream().flatMap(g -> g.ranOn().stream()).distinct().sorted().toList();
        String cpus = gs.stream().map(Results.CounterGroup::cpusAllowed).filter(x -> x != null).distinct().reduce((x, y) -> x + " | " + y).orElse(null);
        return new Results.CounterGroup(process, threads, gs.get(0).pid(), tids, cpus, ranOn, figures);
    }

    // ------------------------------------------------------------------ the peers

    /**
     * The peers of the current mechanism, reused from one row to the next; a failed one is replaced.
     * Peers start outside the lock (in parallel, each on its own thread); the lock guards only the
     * list, so that Ctrl-C's cleanup ({@link #close}) never waits behind a start.
     */
    private final class Pool implements AutoCloseable {
        volatile String mechanism;
        private final List<PeerSession> sessions = new ArrayList<>();

        /** The first n peers, starting (at once) those missing or discarded. */
        List<PeerSession> take(Item item, int n) throws IOException {
            List<Integer> missing = new ArrayList<>();
            synchronized (sessions) {
                while (sessions.size() < n) sessions.add(null);
                for (int i = 0; i < n; i++) if (sessions.get(i) == null) missing.add(i);
            }
            IOException[] failure = new IOException[1];
            RuntimeException[] runtime = new RuntimeException[1];
            List<Thread> starters = new ArrayList<>();
            for (int i : missing) {
                Thread t = new Thread(() -> {
                    try {
                        PeerSession s = PeerLauncher.launch(item.provider(), item.spec(), PEER_START);
                        synchronized (sessions) {
                            sessions.set(i, s);
                        }
                        placement.pinPeer(s.pid());
                    } catch (IOException e) {
                        failure[0] = e;
                    } catch (RuntimeException e) {
                        runtime[0] = e;
                    }
                }, "ipclab-pair-start-" + (i + 1));
                t.setDaemon(true);
                starters.add(t);
                t.start();
            }
            for (Thread t : starters) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while starting peers");
                }
            }
            if (runtime[0] != null) throw runtime[0];
            if (failure[0] != null) throw failure[0];
            synchronized (sessions) {
                return List.copyOf(sessions.subList(0, n));
            }
        }

        void discard(int i) {
            PeerSession s;
            synchronized (sessions) {
                s = sessions.get(i);
                sessions.set(i, null);
            }
            if (s != null) s.close();
        }

        void closeAll() {
            List<PeerSession> all;
            synchronized (sessions) {
                all = new ArrayList<>(sessions);
                sessions.clear();
            }
            for (PeerSession s : all) if (s != null) s.close();
        }

        @Override
        public void close() {
            closeAll();
        }
    }
}
