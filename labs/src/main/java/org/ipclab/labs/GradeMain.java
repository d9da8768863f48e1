package org.ipclab.labs;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;

import java.nio.file.Path;
import java.util.regex.Pattern;

import org.ipclab.core.Names;
import org.ipclab.core.OwnedFiles;
import org.ipclab.core.Users;

/**
 * {@code java -cp <student classes>:<check classes>:<ipc.jar> org.ipclab.labs.GradeMain N [task-timeout-seconds]}:
 * cleans what a crashed attempt left, grades lab N, stops any process the student's code left
 * running, prints the report and a {@code RESULT ...} line, and exits 0 when every task passed, 1 otherwise
 * (2 for bad usage). Runs in its own JVM so that a hanging or {@code System.exit}-ing solution cannot
 * take the caller with it.
 */
public final class GradeMain {
    private static final Pattern LAB_NAME = Pattern.compile("ipclab-\\d+-lab.*");

    private GradeMain() {
    }

    public static void main(String[] args) {
        PrintStream out = System.out;
        if (args.length < 1 || !args[0].matches("\\d{1,3}")) {
            System.err.println("usage: GradeMain LAB [TASK_TIMEOUT_SECONDS]");
            System.exit(2);
        }
        Lab lab;
        try {
            lab = LabCatalog.get(Integer.parseInt(args[0]));
        } catch (RuntimeException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
            return;
        }
        Duration perTask = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 20);

        cleanLeftovers(out);
        Grader.Report report = Grader.grade(lab, perTask);
        stopLeftoverProcesses(out);
        Grader.print(report, out);
        out.println(report.resultLine());
        out.flush();
        System.exit(report.allPassed() ? 0 : 1);
    }

    /**
     * Removes what a crashed lab attempt left: files and directories named {@code ipclab-<pid>-lab...}
     * (the names labs use) in the temp directory and /dev/shm whose creator process is gone.
     * Other ipclab objects (a benchmark's) are left to {@code ipc clean}.
     */
    static void cleanLeftovers(PrintStream out) {
        for (Path p : Checks.ipclabFiles()) {
            String name = p.getFileName().toString();
            if (!LAB_NAME.matcher(name).matches() || !Names.isStale(name)) continue;
            try {
                OwnedFiles.removeTree(p, Users.uid()); // only our own, never through a symbolic link
                out.println("cleaned up first: removed " + p + " (left by an earlier attempt, process "
                        + Names.creatorPid(name).orElse(-1) + " is gone)");
            } catch (IOException e) {
                out.println("cleaned up first: could not remove " + p + ": " + e.getMessage());
            }
        }
    }

    static void stopLeftoverProcesses(PrintStream out) {
        ProcessHandle.current().descendants().forEach(p -> {
            out.println("stopped a process your code left running: pid " + p.pid() + " " + p.info().commandLine().orElse(""));
            p.destroyForcibly();
        });
    }
}
