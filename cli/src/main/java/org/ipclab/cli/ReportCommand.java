package org.ipclab.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.ipclab.bench.Results;
import org.ipclab.bench.report.Reports;
import org.ipclab.core.BadInputException;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Turn 'ipc bench --json' results into a page or a table.",
                "--html writes one self-contained file (charts as inline SVG, no network);",
                "--markdown a table to paste into docs. Without either: Markdown on stdout."})
final class ReportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RESULTS.json", description = "A file written by 'ipc bench --json'.")
    Path input;

    @Option(names = "--html", paramLabel = "FILE", description = "Write an HTML report with charts.")
    Path html;

    @Option(names = "--markdown", paramLabel = "FILE", description = "Write a Markdown table.")
    Path markdown;

    @Option(names = "--charts", paramLabel = "DIR", description = "Write each chart as a standalone SVG file into DIR.")
    Path charts;

    @Override
    public Integer call() throws IOException {
        Results.Report report = Reports.read(input);
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

    private static void write(Path file, String text) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) throw new BadInputException("cannot write " + file + ": directory " + dir + " does not exist");
        Files.writeString(file, text);
        System.err.println("ipc report: wrote " + file);
    }
}
