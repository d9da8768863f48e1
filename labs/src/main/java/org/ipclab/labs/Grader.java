package org.ipclab.labs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Grades a lab from outside the student's process: each task runs in a JVM of its own ({@link GradeMain}),
 * and this side computes the score from the events that JVM sends over its stdout (lines that carry a
 * token only this process and that JVM's trusted code know), its exit status, and whether it finished in
 * time. What the student's code prints is collected apart (stderr) and shown, never parsed.
 *
 * <p>One JVM per task bounds each task's memory ({@code -Xmx}, out-of-memory ends that JVM, not the grader)
 * and time (the JVM is killed with its processes), so a student's mistake fails one task with a hint.
 */
public final class Grader {
    /** Heap of a task's JVM: enough for every check, small enough that storing a stream whole fails fast. */
    public static final String TASK_HEAP = "256m";
    private static final int OUT_OF_MEMORY = 3; // -XX:+ExitOnOutOfMemoryError
    private static final int OUTPUT_KEPT = 16 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * @param output what the student's code (and the JVM) printed during the task, its last 16 KiB
     */
    public record TaskResult(Task task, boolean passed, String problem, String where, String output, Duration took) {
        public int earned() {
            return passed ? task.points() : 0;
        }
    }

    public record Report(Lab lab, List<TaskResult> results) {
        public int score() {
            return results.stream().mapToInt(TaskResult::earned).sum();
        }

        /** The points of the tasks graded (all of the lab's, unless some were chosen). */
        public int max() {
            return results.stream().mapToInt(r -> r.task().points()).sum();
        }

        public boolean allPassed() {
            return results.stream().allMatch(TaskResult::passed);
        }
    }

    /**
     * What to grade: class path in trust order (the framework and JUnit first, then the check, then the
     * student's classes, so that no student class can stand in for a trusted one), the labs directory the
     * checks see, and a temp directory of this submission's own (null: the system's), so that submissions
     * graded side by side do not see each other's files.
     */
    public record Setup(String classPath, Path labsDir, Duration perTask, Sandbox sandbox, Path tmp) {
        public Setup(String classPath, Path labsDir, Duration perTask, Sandbox sandbox) {
            this(classPath, labsDir, perTask, sandbox, null);
        }
    }

    private Grader() {
    }

    public static Report grade(Lab lab, List<Task> tasks, Setup setup) {
        List<TaskResult> results = new ArrayList<>();
        for (Task t : tasks) results.add(gradeTask(lab, t, setup));
        return new Report(lab, results);
    }

    static TaskResult gradeTask(Lab lab, Task task, Setup setup) {
        long started = System.nanoTime();
        String token = HexFormat.of().formatHex(randomBytes());
        List<String> cmd = new ArrayList<>(setup.sandbox().prefix(setup.perTask()));
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Xmx" + TASK_HEAP);
        cmd.add("-XX:+ExitOnOutOfMemoryError");
        cmd.add("-XX:+DisableAttachMechanism"); // no agent loaded into the grading JVM from a process the student starts
        cmd.add("-D" + LabDirs.PROPERTY + "=" + setup.labsDir());
        if (setup.tmp() != null) cmd.add("-Djava.io.tmpdir=" + setup.tmp());
        String seed = System.getProperty(Seeded.PROPERTY); // a teacher repeating a failed run's random inputs
        if (seed != null && seed.matches("-?\\d{1,19}")) cmd.add("-D" + Seeded.PROPERTY + "=" + seed);
        cmd.add("-cp");
        cmd.add(setup.classPath());
        cmd.add(GradeMain.class.getName());
        cmd.add(String.valueOf(lab.number()));
        cmd.add(String.valueOf(task.number()));
        cmd.add(String.valueOf(Math.max(1, setup.perTask().toSeconds())));

        Process p;
        try {
            p = new ProcessBuilder(cmd).start();
        } catch (IOException e) {
            return new TaskResult(task, false, "the grader could not start a JVM: " + e.getMessage(), null, "", Duration.ZERO);
        }
        Events events = new Events(token);
        Thread evReader = reader(p.getInputStream(), events::accept, "lab-events");
        StringBuilder output = new StringBuilder();
        Thread outReader = reader(p.getErrorStream(), line -> {
            synchronized (output) {
                output.append(line).append('\n');
                if (output.length() > OUTPUT_KEPT) output.delete(0, output.length() - OUTPUT_KEPT);
            }
        }, "lab-output");
        try (OutputStream in = p.getOutputStream()) {
            in.write((token + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            // the JVM died at once; its exit status says why
        }
        // The check's own timeout fails a hanging method from inside; this one (a task has at most a few
        // methods, plus a JVM's start on a loaded machine) ends a JVM that no longer answers at all.
        Duration limit = setup.perTask().multipliedBy(3).plusSeconds(20);
        boolean timedOut = false;
        try {
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                timedOut = true;
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor();
            }
            // A process that inherited fd 1 or 2 may keep the pipes open: do not wait for it.
            evReader.join(2000);
            outReader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        String out;
        synchronized (output) {
            out = output.toString();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        return judge(lab, task, events, p.isAlive() ? -1 : p.exitValue(), timedOut, limit, out, took);
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return b;
    }

    private static Thread reader(InputStream in, java.util.function.Consumer<String> each, String name) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) each.accept(line);
            } catch (IOException e) {
                // the JVM is gone; what was read counts
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The events of one task's JVM: only lines that start with its token; everything else is ignored. */
    static final class Events {
        private final String prefix;
        final List<String[]> tests = new ArrayList<>();
        String[] done;
        int ignored;

        Events(String token) {
            this.prefix = token + " ";
        }

        synchronized void accept(String line) {
            if (!line.startsWith(prefix)) {
                ignored++;
                return;
            }
            String[] parts = line.substring(prefix.length()).split(" ", -1);
            String[] fields = new String[parts.length - 1];
            try {
                for (int i = 1; i < parts.length; i++) {
                    fields[i - 1] = new String(Base64.getDecoder().decode(parts[i]), StandardCharsets.UTF_8);
                }
            } catch (IllegalArgumentException e) {
                ignored++;
                return;
            }
            if (parts[0].equals("test") && fields.length == 4) tests.add(fields);
            else if (parts[0].equals("done") && fields.length == 3 && done == null) done = fields;
            else ignored++;
        }
    }

    static TaskResult judge(Lab lab, Task task, Events ev, int exit, boolean timedOut, Duration limit, String out, Duration took) {
        List<String> problems = new ArrayList<>();
        String where = null;
        synchronized (ev) {
            for (String[] t : ev.tests) {
                if (t[1].equals("ok")) continue;
                problems.add(t[2]);
                if (where == null && !t[3].isEmpty()) where = t[3];
            }
            if (ev.done == null) {
                String why;
                if (timedOut) {
                    why = "the task did not finish within " + limit.toSeconds() + " s and was stopped: your code hangs (or waits for "
                            + "something that never comes)";
                } else if (exit == OUT_OF_MEMORY || out.contains("java.lang.OutOfMemoryError")) {
                    why = "your code ran out of memory (the task's JVM may use " + TASK_HEAP + "): it keeps more than it needs, "
                            + "e.g. a whole stream read into memory before it is passed on; stream it instead";
                } else {
                    why = "the task's JVM ended (exit status " + exit + ") before the check finished: does your code call "
                            + "System.exit or halt? " + lastLine(out);
                }
                problems.add(why.strip());
            } else if (!ev.done[0].equals(String.valueOf(lab.number())) || !ev.done[1].equals(String.valueOf(task.number()))) {
                problems.add("the grading JVM reported lab " + ev.done[0] + " task " + ev.done[1] + ", not lab " + lab.number()
                        + " task " + task.number());
            } else if (ev.done[2].equals("ok") != (exit == GradeMain.PASSED) || (exit != GradeMain.PASSED && exit != GradeMain.FAILED)) {
                problems.add("the grading JVM exited with status " + exit + ", which does not match its report: does your code "
                        + "call System.exit or halt in a shutdown hook?");
            } else if (!ev.done[2].equals("ok") && problems.isEmpty()) {
                problems.add("failed");
            }
        }
        boolean passed = problems.isEmpty() && ev.done != null && ev.done[2].equals("ok");
        return new TaskResult(task, passed, passed ? null : String.join("; ", problems), where, out, took);
    }

    private static String lastLine(String out) {
        List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? "" : "It printed last: " + lines.get(lines.size() - 1);
    }

    /** One line a student can act on. */
    static String describe(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = String.valueOf(c.getMessage());
            if (m.startsWith("TODO(")) return "not done yet: " + m;
        }
        String msg = String.valueOf(t.getMessage());
        if (t instanceof java.util.concurrent.TimeoutException || msg.matches("(?s)\\S+\\(\\) timed out after .*")) {
            return msg.replaceAll("^\\S+\\(\\) ", "") + ": your code hangs or waits too long (the task was stopped)";
        }
        String type = t.getClass().getName().startsWith("org.opentest4j") ? "" : t.getClass().getSimpleName() + ": ";
        String first = msg.lines().findFirst().orElse("");
        if (t.getCause() != null && !(t instanceof AssertionError)) first += " (caused by " + t.getCause() + ")";
        return type + first;
    }

    /** The first frame in the student's code (the lab package, not the check), e.g. {@code PingPong.java:42}. */
    static Optional<String> where(Throwable t, Lab lab) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            for (StackTraceElement e : c.getStackTrace()) {
                String cls = e.getClassName();
                if (cls.startsWith(lab.packageName() + ".") && !cls.contains("Check") && e.getFileName() != null) {
                    return Optional.of(e.getFileName() + ":" + e.getLineNumber() + " (" + e.getMethodName() + ")");
                }
            }
        }
        return Optional.empty();
    }

    /** The human report: one line per task, a hint under each failed one, the total. */
    public static void print(Report report, PrintWriter out) {
        Lab lab = report.lab();
        out.printf("lab %d: %s%n", lab.number(), lab.title());
        for (TaskResult r : report.results()) {
            out.printf("  task %d  [%d/%d]  %-4s  %s%n", r.task().number(), r.earned(), r.task().points(),
                    r.passed() ? "ok" : "FAIL", r.task().title());
            if (!r.passed()) {
                out.println("           problem: " + r.problem());
                if (r.where() != null) out.println("           at:      " + r.where());
                out.println("           hint:    " + r.task().hint());
                List<String> printed = r.output().lines().filter(l -> !l.isBlank()).toList();
                if (!printed.isEmpty()) {
                    out.println("           output:  (your code printed" + (printed.size() > 8 ? ", last 8 lines" : "") + ")");
                    for (String l : printed.subList(Math.max(0, printed.size() - 8), printed.size())) out.println("             | " + l);
                }
            }
        }
        boolean whole = report.results().size() == lab.tasks().size();
        out.printf("score: %d/%d%s%n", report.score(), report.max(),
                whole && report.allPassed() ? "  -- lab " + lab.number() + " complete" : "");
        if (whole && report.allPassed()) out.println("(hints with code, if you want to compare: ipc lab hint " + lab.number() + " TASK --level 2)");
        out.flush();
    }
}
