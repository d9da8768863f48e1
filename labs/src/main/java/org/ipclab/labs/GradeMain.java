package org.ipclab.labs;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

import org.ipclab.core.FileSweeper;
import org.ipclab.core.Leftover;

/**
 * {@code java -cp <student classes>:<check classes>:<ipc.jar> org.ipclab.labs.GradeMain N [task-timeout-seconds]}:
 * cleans what a crashed attempt left, grades lab N, stops any process the student's code left
 * running, prints the report and a {@code RESULT ...} line, and exits 0 when every task passed, 1 otherwise
 * (2 for bad usage). Runs in its own JVM so that a hanging or {@code System.exit}-ing solution cannot
 * take the caller with it.
 */
public final class GradeMain {
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

    /** Removes ipclab files (FIFOs, socket files, /dev/shm segments) whose creator process is gone. */
    static void cleanLeftovers(PrintStream out) {
        try {
            List<Leftover> found = new FileSweeper().find(false);
            for (Leftover l : found) {
                String what = l.describe();
                try {
                    l.remove();
                    out.println("cleaned up first: removed " + what);
                } catch (IOException e) {
                    out.println("cleaned up first: could not remove " + what + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            out.println("could not look for leftovers: " + e.getMessage());
        }
    }

    static void stopLeftoverProcesses(PrintStream out) {
        ProcessHandle.current().descendants().forEach(p -> {
            out.println("stopped a process your code left running: pid " + p.pid() + " " + p.info().commandLine().orElse(""));
            p.destroyForcibly();
        });
    }
}
