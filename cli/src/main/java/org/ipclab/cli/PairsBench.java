package org.ipclab.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.ipclab.bench.BenchConfig;
import org.ipclab.bench.Environment;
import org.ipclab.bench.Placement;
import org.ipclab.bench.PlacementAxis;
import org.ipclab.bench.ResultWriters;
import org.ipclab.bench.Results;
import org.ipclab.bench.baseline.NativeBaseline;
import org.ipclab.bench.report.ScalingSection;
import org.ipclab.bench.scale.Background;
import org.ipclab.bench.scale.PairsRun;
import org.ipclab.core.BadInputException;

/**
 * {@code ipc bench --pairs N[,N...]} and {@code --background LOAD}: the pairs run of the bench
 * command (bench's scale package), with the same table, files and Ctrl-C behaviour as the matrix.
 * A background load without --pairs is measured as one pair beside it.
 */
final class PairsBench {
    private PairsBench() {
    }

    static int run(BenchCommand c, BenchConfig cfg) throws IOException {
        if (c.connect != null) throw new BadInputException("--pairs and --background start their own peers; drop --connect");
        if (c.pin != null && c.placementAxis != null) throw new BadInputException("--placement and --pin contradict each other; give one");
        List<Integer> counts = PairsRun.parseCounts(c.pairs == null ? "1" : c.pairs, PairsRun.MAX_PAIRS);
        Background load = c.background == null ? null : Background.parse(c.background);
        if (cfg.rate() > 0) throw new BadInputException("--rate with --pairs is not measured: open-loop pairs would need one schedule across all of them; drop one");
        PairsRun.preflight(cfg, counts); // the machine's limits for the largest N, before any peer starts
        List<PlacementAxis.Choice> choices = c.placementAxis != null ? PlacementAxis.parse(c.placementAxis)
                : List.of(new PlacementAxis.Choice(c.pin == null ? "unpinned" : "pin " + c.pin,
                c.pin == null ? Placement.none() : Placement.parse(c.pin), false));
        PrintStream out = c.resultOptions.tableStream(c.json);
        BenchCommand.TerminalProgress progress = new BenchCommand.TerminalProgress(c.quiet);
        if (!c.baseline.equals("native") && !c.baseline.equals("none")) {
            throw new BadInputException("--baseline '" + c.baseline + "' is not one of native, none");
        }
        Optional<NativeBaseline> nativeC = c.baseline.equals("native")
                ? NativeBaseline.prepare(NativeBaseline.defaultCacheRoot(), why -> progress.warn("C baseline skipped: " + why))
                : Optional.empty();
        Map<String, String> env = new LinkedHashMap<>(Environment.capture());
        env.put("pairs", counts + " — " + PairsRun.shapeOfN(nativeC.isPresent()));
        boolean pinned = choices.stream().anyMatch(ch -> ch.placement().pinned());
        env.put("pinning", String.join(" then ", choices.stream().map(PlacementAxis.Choice::label).toList())
                + (pinned ? " (every pair alike: the runner JVM, all its runner threads with it, on the runner CPU; every peer on the peer CPU;"
                + " each C runner and C peer alike)" : " (the scheduler places every process, Java and C)"));
        if (load != null) env.put("background", load.spec() + " — " + load.description());
        String startedAt = Instant.now().toString();
        out.println("ipc bench --pairs " + counts + ": " + String.join(", ", cfg.mechanisms()) + " | " + env.get("pairs")
                + " | placement " + env.get("pinning") + (load == null ? "" : " | background " + env.get("background")));

        List<Results.Measurement> done = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        AtomicReference<PairsRun> current = new AtomicReference<>();
        AtomicBoolean finished = new AtomicBoolean();
        Thread onInterrupt = new Thread(() -> {
            if (finished.get()) return;
            List<Results.Measurement> all = new ArrayList<>(done);
            PairsRun r = current.get();
            if (r != null) all.addAll(r.report(cfg, env, VersionProvider.version(), startedAt, true).measurements());
            Results.Report partial = new Results.Report("ipclab", VersionProvider.version(), startedAt, env, cfg, all, notes, true);
            progress.clear();
            ResultWriters.table(partial, out);
            c.saveResults(partial);
            out.flush();
        }, "ipclab-save-partial-pairs");
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        try {
            if (load != null) load.start();
            for (PlacementAxis.Choice choice : choices) {
                choice.placement().pinRunner();
                PairsRun run = new PairsRun(progress).placement(choice.placement(), choices.size() > 1 || c.placementAxis != null ? choice.label() : null)
                        .kernelCounters(!c.noCounters).background(load)
                        .onHistogram(c.resultOptions.histograms(c.hgrm == null ? null : BenchCommand.hgrmWriter(c.hgrm)));
                nativeC.map(b -> choice.placement().apply(b.kernelCounters(!c.noCounters))).ifPresent(run::baseline);
                current.set(run);
                Results.Report r = run.run(cfg, counts, env, VersionProvider.version());
                done.addAll(r.measurements());
                for (String n : r.notes()) if (!notes.contains(n)) notes.add(n);
                current.set(null);
            }
        } finally {
            if (load != null) load.close();
            finished.set(true);
        }
        Results.Report report = new Results.Report("ipclab", VersionProvider.version(), startedAt, env, cfg, done, notes, false);
        progress.clear();
        ResultWriters.header(report, out);
        ResultWriters.table(report, out);
        ScalingSection.text(report, out);
        c.saveResults(report);
        boolean allOk = report.measurements().stream().allMatch(Results.Measurement::ok);
        return allOk && !report.measurements().isEmpty() ? ExitCodes.OK : ExitCodes.FAILURE;
    }
}
