package org.ipclab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;

import org.ipclab.core.Leftover;
import org.ipclab.core.Sweeper;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "clean", mixinStandardHelpOptions = true,
        description = {"Remove what crashed ipclab runs left behind.",
                "FIFOs, socket files, shared-memory segments, semaphores, message queues:",
                "only objects named ipclab-<pid>-... whose creator process is gone."})
final class CleanCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-n", "--dry-run"}, description = "Only show what would be removed.")
    boolean dryRun;

    @Option(names = "--all", description = "Also remove objects whose creator still runs (stops them working).")
    boolean all;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        List<Leftover> found = new ArrayList<>();
        for (Sweeper s : ServiceLoader.load(Sweeper.class)) found.addAll(s.find(all));
        if (found.isEmpty()) {
            out.println("nothing to clean: no leftovers of ipclab found");
            return ExitCodes.OK;
        }
        int failed = 0;
        for (Leftover l : found) {
            if (dryRun) {
                out.println("would remove " + l.describe());
                continue;
            }
            String what = l.describe();
            try {
                l.remove();
                out.println("removed " + what);
            } catch (IOException e) {
                failed++;
                out.println("could not remove " + what + ": " + e.getMessage());
            }
        }
        return failed == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
    }
}
