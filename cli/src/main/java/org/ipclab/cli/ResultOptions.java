package org.ipclab.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.ipclab.bench.JmhFormat;
import org.ipclab.bench.ResultWriters;
import org.ipclab.bench.Results;
import org.ipclab.core.BadInputException;

import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * The options of {@code ipc bench} that shape its output for other tools: {@code --json -} (results
 * on stdout, the table and progress on stderr), {@code --format jmh}, {@code --hlog DIR}; and what
 * every results file carries besides the measurements (schema version, build, settings' sources).
 */
final class ResultOptions {
    /** What {@code --json} writes. */
    enum Format { ipclab, jmh }

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "ipclab",
            description = "Shape of the --json output: ${COMPLETION-CANDIDATES}. ipclab: docs/results.schema.json;"
                    + " jmh: JMH's JSON result format, for tools that load JMH runs (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--hlog", paramLabel = "DIR",
            description = "Also write each latency histogram as an HdrHistogram interval log (HistogramLogWriter, values in ns)"
                    + " into DIR: logs of several runs merge, and percentiles recompute exactly (HistogramLogReader).")
    Path hlog;

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    static boolean toStdout(Path json) {
        return json != null && json.toString().equals("-");
    }

    /** Where the human-readable table goes: stderr when stdout carries the JSON. */
    PrintStream tableStream(Path json) {
        if (hlog != null && !Files.isDirectory(hlog)) throw new BadInputException("--hlog " + hlog + " is not a directory");
        if (format == Format.jmh && json == null) throw new BadInputException("--format jmh shapes the --json output; give --json FILE (or -)");
        PrintStream table = toStdout(json) ? System.err : System.out;
        // A default the user set long ago should not surprise: say where each came from.
        settings().forEach((name, s) -> {
            if (s.source().startsWith("env ") || s.source().startsWith("file ")) {
                System.err.println("ipc bench: --" + name + " " + s.value() + " from " + s.source());
            }
        });
        return table;
    }

    /** The --hgrm writer (or none) and, with --hlog, the interval-log writer. */
    BiConsumer<String, Histogram> histograms(BiConsumer<String, Histogram> other) {
        BiConsumer<String, Histogram> first = other == null ? (l, h) -> { } : other;
        if (hlog == null) return first;
        return first.andThen((label, h) -> {
            Path file = hlog.resolve(label + ".hlog");
            try (PrintStream ps = new PrintStream(Files.newOutputStream(file), false, "UTF-8")) {
                HistogramLogWriter w = new HistogramLogWriter(ps);
                long end = h.getEndTimeStamp() > 0 ? h.getEndTimeStamp() : System.currentTimeMillis();
                long start = h.getStartTimeStamp() > 0 && h.getStartTimeStamp() != Long.MAX_VALUE ? h.getStartTimeStamp() : end;
                w.outputComment("ipclab " + BuildInfo.version() + ": " + label + ", RTT in nanoseconds (all repeats)");
                w.outputLogFormatVersion();
                w.outputStartTime(start);
                w.setBaseTime(start);
                w.outputLegend();
                w.outputIntervalHistogram(0, (end - start) / 1000.0, h, 1000.0);
            } catch (IOException e) {
                System.err.println("ipc bench: could not write " + file + ": " + e.getMessage());
            }
        });
    }

    /** The report as saved: build and library versions in the environment, every option's value and source. */
    Results.Report decorate(Results.Report r) {
        Map<String, String> env = new LinkedHashMap<>(r.environment());
        env.putIfAbsent("ipclab build", "commit " + BuildInfo.commit() + ", built " + BuildInfo.buildTime());
        env.putIfAbsent("libraries", BuildInfo.libraries().entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")));
        Results.Report withEnv = new Results.Report(r.tool(), r.schemaVersion(), r.version(), r.startedAt(), env,
                r.config(), r.measurements(), r.notes(), r.partial(), r.settings());
        return withEnv.withSettings(settings());
    }

    private Map<String, Results.Setting> settings() {
        Map<String, Results.Setting> s = new LinkedHashMap<>();
        if (mixee == null) return s;
        ParseResult parsed = mixee.commandLine().getParseResult();
        IDefaultValueProvider dvp = mixee.defaultValueProvider();
        for (OptionSpec o : mixee.options()) {
            if (o.usageHelp() || o.versionHelp()) continue;
            Object value = o.getValue();
            String source;
            if (parsed != null && parsed.hasMatchedOption(o)) source = "command line";
            else if (dvp instanceof UserDefaults u && u.sourceOf(o) != null) source = u.sourceOf(o);
            else if (value == null || value instanceof Collection<?> c && c.isEmpty()) continue;
            else source = "default";
            s.put(o.longestName().replaceFirst("^-+", ""), new Results.Setting(text(value), source));
        }
        return s;
    }

    private static String text(Object v) {
        if (v == null) return null;
        if (v instanceof Collection<?> c) return c.stream().map(String::valueOf).collect(Collectors.joining(","));
        if (v instanceof Map<?, ?> m) return m.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
        return String.valueOf(v);
    }

    /** Writes the results in the chosen format to the file, or to stdout for "-". */
    void writeJson(Results.Report report, Path json) throws IOException {
        Object shape = format == Format.jmh ? JmhFormat.of(report) : report;
        if (toStdout(json)) {
            ResultWriters.json(shape, System.out);
        } else {
            try (var out = Files.newOutputStream(json)) {
                ResultWriters.json(shape, out);
            }
        }
    }
}
