package org.ipclab.labs;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs one lab's check class through the JUnit Platform Launcher and turns its test methods
 * ({@code task<N>_...}) into a per-task score with a hint for each failed task.
 *
 * <p>Every test runs in its own thread with a timeout ({@code SEPARATE_THREAD}), so a student
 * solution that hangs in an uninterruptible call (opening a FIFO, a blocking read) fails that task
 * and the next task still runs. The caller ({@link GradeMain}) exits the JVM afterwards, which ends
 * abandoned threads.
 */
public final class Grader {
    private static final Pattern TASK_METHOD = Pattern.compile("task(\\d+)_.*");

    public record TaskResult(Task task, boolean passed, String problem, String where) {
        public int earned() {
            return passed ? task.points() : 0;
        }
    }

    public record Report(Lab lab, List<TaskResult> results) {
        public int score() {
            return results.stream().mapToInt(TaskResult::earned).sum();
        }

        public boolean allPassed() {
            return results.stream().allMatch(TaskResult::passed);
        }

        /** {@code RESULT lab=1 score=5 max=10 tasks=1:2/2,2:0/3} — the line the CLI reads. */
        public String resultLine() {
            StringBuilder sb = new StringBuilder("RESULT lab=").append(lab.number()).append(" score=").append(score())
                    .append(" max=").append(lab.maxPoints()).append(" tasks=");
            for (int i = 0; i < results.size(); i++) {
                TaskResult r = results.get(i);
                if (i > 0) sb.append(',');
                sb.append(r.task().number()).append(':').append(r.earned()).append('/').append(r.task().points());
            }
            return sb.toString();
        }
    }

    private Grader() {
    }

    public static Report grade(Lab lab, Duration perTask) {
        Map<Integer, List<String>> problems = new TreeMap<>();
        Map<Integer, String> wheres = new TreeMap<>();
        Map<Integer, Integer> ran = new TreeMap<>();
        String[] classProblem = {null};

        Class<?> check;
        try {
            check = Class.forName(lab.checkClass(), false, Grader.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return allFailed(lab, "the check " + lab.checkClass() + " is not on the class path (" + e + ")");
        }

        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(check))
                .configurationParameter("junit.jupiter.execution.timeout.default", perTask.toSeconds() + " s")
                .configurationParameter("junit.jupiter.execution.timeout.thread.mode.default", "SEPARATE_THREAD")
                .configurationParameter("junit.jupiter.testmethod.order.default", "org.junit.jupiter.api.MethodOrderer$MethodName")
                .build();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                Optional<Integer> task = taskOf(id);
                if (task.isEmpty()) {
                    if (id.isContainer() && result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                        classProblem[0] = result.getThrowable().map(t -> describe(t, lab)).orElse("the check could not start");
                    }
                    return;
                }
                ran.merge(task.get(), 1, Integer::sum);
                if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                    Throwable t = result.getThrowable().orElse(null);
                    problems.computeIfAbsent(task.get(), k -> new ArrayList<>()).add(t == null ? "failed" : describe(t, lab));
                    if (t != null) where(t, lab).ifPresent(w -> wheres.putIfAbsent(task.get(), w));
                }
            }

            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                taskOf(id).ifPresent(n -> problems.computeIfAbsent(n, k -> new ArrayList<>()).add("skipped: " + reason));
            }
        });

        List<TaskResult> results = new ArrayList<>();
        for (Task t : lab.tasks()) {
            List<String> p = problems.get(t.number());
            if (p == null && !ran.containsKey(t.number())) {
                p = List.of(classProblem[0] != null ? classProblem[0] : "the check has no test for this task");
            }
            results.add(new TaskResult(t, p == null, p == null ? null : String.join("; ", p), wheres.get(t.number())));
        }
        return new Report(lab, results);
    }

    private static Report allFailed(Lab lab, String why) {
        List<TaskResult> results = new ArrayList<>();
        for (Task t : lab.tasks()) results.add(new TaskResult(t, false, why, null));
        return new Report(lab, results);
    }

    private static Optional<Integer> taskOf(TestIdentifier id) {
        if (!id.isTest()) return Optional.empty();
        return id.getSource().filter(MethodSource.class::isInstance).map(MethodSource.class::cast)
                .map(MethodSource::getMethodName).map(TASK_METHOD::matcher).filter(Matcher::matches)
                .map(m -> Integer.parseInt(m.group(1)));
    }

    /** One line a student can act on. */
    static String describe(Throwable t, Lab lab) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = String.valueOf(c.getMessage());
            if (m.startsWith("TODO(")) return "not done yet: " + m;
        }
        String msg = String.valueOf(t.getMessage());
        if (t instanceof java.util.concurrent.TimeoutException || msg.matches("(?s)\\S+\\(\\) timed out after .*")) {
            return msg.replaceAll("^\\S+\\(\\) ", "") + ": your code hangs or waits too long (the task was stopped, the next one ran)";
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
    public static void print(Report report, PrintStream out) {
        Lab lab = report.lab();
        out.printf("lab %d: %s%n", lab.number(), lab.title());
        for (TaskResult r : report.results()) {
            out.printf("  task %d  [%d/%d]  %-4s  %s%n", r.task().number(), r.earned(), r.task().points(),
                    r.passed() ? "ok" : "FAIL", r.task().title());
            if (!r.passed()) {
                out.println("           problem: " + r.problem());
                if (r.where() != null) out.println("           at:      " + r.where());
                out.println("           hint:    " + r.task().hint());
            }
        }
        out.printf("score: %d/%d%s%n", report.score(), lab.maxPoints(),
                report.allPassed() ? "  -- lab " + lab.number() + " complete" : "");
    }
}
