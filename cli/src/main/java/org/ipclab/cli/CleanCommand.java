package org.ipclab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.ipclab.core.BadInputException;
import org.ipclab.core.Leftover;
import org.ipclab.core.FileSweeper;
import org.ipclab.core.Sweeper;
import org.ipclab.core.Users;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "clean", mixinStandardHelpOptions = true,
        description = {"Remove what crashed ipclab runs left behind.",
                "FIFOs, socket files, shared-memory segments, semaphores, message queues:",
                "only objects named ipclab-<pid>-... whose creator process is gone, and only yours;",
                "other users' leftovers are listed and left alone (root: unless --all-users).",
                "Removal never follows a symbolic link."})
final class CleanCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-n", "--dry-run"}, description = "Only show what would be removed.")
    boolean dryRun;

    @Option(names = "--all", description = "Also remove objects whose creator still runs (stops them working).")
    boolean all;

    @Option(names = "--all-users", description = "Root only: also remove other users' leftovers (each is shown with its owner).")
    boolean allUsers;

    @Option(names = "--path", paramLabel = "DIR",
            description = "Also look in DIR, a directory you gave a FIFO or socket --path in, for the staging directories"
                    + " (ipclab-<pid>-bind-*, ipclab-<pid>-mkfifo-*) a crash left there. Repeatable.")
    List<Path> paths = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        if (allUsers && !Users.isRoot()) {
            throw new BadInputException("--all-users needs root (you are " + Users.describe(Users.uid())
                    + "); without it, only your own leftovers are removed");
        }
        PrintWriter out = spec.commandLine().getOut();
        for (Path dir : paths) {
            if (!Files.isDirectory(dir)) throw new BadInputException("--path " + dir + " is not a directory");
        }
        List<Leftover> found = new ArrayList<>(Sweeper.findEverywhere(all));
        for (Path dir : paths) found.addAll(FileSweeper.stagingIn(dir, all));
        if (found.isEmpty()) {
            out.println("nothing to clean: no leftovers of ipclab found");
            return ExitCodes.OK;
        }
        int failed = 0;
        for (Leftover l : found) {
            String what = l.describe() + (l.ours() ? "" : ", owned by " + Users.describe(l.ownerUid()));
            if (!Sweeper.removable(l, allUsers)) {
                out.println("not yours, left alone: " + what + (Users.isRoot() ? " (--all-users removes it)" : ""));
                continue;
            }
            if (dryRun) {
                out.println("would remove " + what);
                continue;
            }
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
