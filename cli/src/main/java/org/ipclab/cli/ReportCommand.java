package org.ipclab.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.ipclab.bench.Results;
import org.ipclab.bench.report.Comparison;
import org.ipclab.bench.report.Reports;
import org.ipclab.core.BadInputException;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Turn 'ipc bench --json' results into a page or a table, or compare runs.",
                "One file: --html writes one self-contained file (charts as inline SVG, no network);",
                "--markdown a table to paste into docs. Without either: Markdown on stdout.",
                "Two or more files: each later run against the first, per mechanism, mode and size:",
                "p50, p99, msgs/s, ratio and a verdict (faster, slower, within noise) weighed against",
                "the runs' own repeat spread; a table on stdout, --markdown and --html as above."},
        footer = {"", "Example: ipc report old.json new.json --fail-if-slower 10   (exit 1 when a measurement got >10%% slower)"})
final class ReportCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "RESULTS.json", description = "Files written by 'ipc bench --json'.")
    List<Path> inputs;

    @Option(names = "--html", paramLabel = "FILE", description = "Write an HTML report with charts.")
    Path html;

    @Option(names = "--markdown", paramLabel = "FILE", description = "Write a Markdown table.")
    Path markdown;

    @Option(names = "--charts", paramLabel = "DIR", description = "Write each chart as a standalone SVG file into DIR (one file only).")
    Path charts;

    @Option(names = "--fail-if-slower", paramLabel = "PCT",
            description = "With two or more files: exit 1 when a measurement is slower than the first run by more than PCT percent and beyond the noise.")
    Double failIfSlower;

    @Override
    public Integer call() throws IOException {
        if (failIfSlower != null && (failIfSlower < 0 || failIfSlower.isNaN())) {
            throw new BadInputException("--fail-if-slower " + failIfSlower + " must be a percentage of 0 or more");
        }
        checkOutput(html);
        checkOutput(markdown);
        List<Comparison.Run> runs = new ArrayList<>();
        for (Path p : inputs) runs.add(Comparison.Run.of(p, Reports.read(p, VersionProvider.version())));
        if (runs.size() == 1) {
            if (failIfSlower != null) throw new BadInputException("--fail-if-slower needs two results files to compare, got one");
            return single(runs.get(0).report());
        }
        if (charts != null) throw new BadInputException("--charts takes one results file, got " + runs.size());
        Comparison c = new Comparison(runs);
        if (c.rows().isEmpty()) {
            throw new BadInputException("nothing to compare: " + inputs.get(0) + " and the other files share no mechanism, mode and size");
        }
        if (html == null && markdown == null) System.out.print(c.table());
        if (html != null) write(html, c.html());
        if (markdown != null) write(markdown, c.markdown());
        if (failIfSlower != null) {
            List<Comparison.Row> slower = c.slowerThan(failIfSlower);
            if (!slower.isEmpty()) {
                System.err.println("ipc report: " + slower.size() + " measurement(s) slower by more than " + failIfSlower + "%: "
                        + Comparison.describeAll(slower));
                return ExitCodes.FAILURE;
            }
        }
        return ExitCodes.OK;
    }

    private Integer single(Results.Report report) throws IOException {
        if (html == null && markdown == null && charts == null) {
            System.out.print(Reports.markdown(report));
            return ExitCodes.OK;
        }
        if (html != null) write(html, Reports.html(report));
        if (markdown != null) write(markdown, Reports.markdown(report));
        if (charts != null) {
            if (!Files.isDirectory(charts)) throw new BadInputException("--charts " + charts + " is not a directory");
            for (var chart : Reports.charts(report).entrySet()) {
                write(charts.resolve(chart.getKey() + ".svg"), Reports.standalone(chart.getValue()));
            }
        }
        return ExitCodes.OK;
    }

    private static void checkOutput(Path file) {
        if (file == null) return;
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) throw new BadInputException("cannot write " + file + ": directory " + dir + " does not exist");
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text);
        System.err.println("ipc report: wrote " + file);
    }
}
