package org.ipclab.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "ipc",
        description = "Learn and measure Linux inter-process communication.",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        subcommands = {ListCommand.class, BenchCommand.class, ServeCommand.class, ConnectCommand.class,
                ReportCommand.class, DemoCommand.class, CleanCommand.class, LabCommand.class,
                ExplainCommand.class, DoctorCommand.class, CompletionCommand.class},
        footer = {"", "Examples:",
                "  ipc list                           mechanisms, capabilities, availability",
                "  ipc bench                          every mechanism, 64 B to 1 MiB, beside C",
                "  ipc bench -m tcp,unix --sizes 64   two mechanisms, one size",
                "  ipc serve -m tcp --port 5000       an echo server in one terminal ...",
                "  ipc connect -m tcp --port 5000 hi  ... and a client in another",
                "  ipc bench --json r.json && ipc report r.json --html r.html",
                "  ipc demo                           the narrated experiments",
                "  ipc lab list                       the course labs (docs/labs/)",
                "  ipc clean                          remove what a crashed run left",
                "  ipc report old.json new.json       compare two runs (faster/slower/within noise)",
                "  ipc doctor                         a self-test to paste into a bug report",
                "  eval \"$(ipc completion bash)\"      tab completion in this shell",
                "", "Exit codes: 0 ok, 1 failure, 2 bad usage, 130 interrupted."})
public final class IpcCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
