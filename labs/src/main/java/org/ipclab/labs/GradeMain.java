package org.ipclab.labs;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.engine.JupiterTestEngine;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The trusted half of grading that runs beside the student's code: one task of one lab per JVM.
 * {@link Grader} starts it as {@code java -cp <trusted>:<check>:<student> org.ipclab.labs.GradeMain LAB TASK SECONDS}
 * and writes a one-time token on its stdin.
 *
 * <p>Before any check or student class loads, this keeps file descriptor 1 for itself (the event channel
 * to the grader) and points {@code System.out} at stderr. Each event line starts with the token; the
 * grader ignores every other line, so whatever the student's code prints, hooks or writes to fd 1 cannot
 * become a score. The score itself is computed by the grader, from these events and this JVM's exit status.
 * Only the Jupiter engine runs, with every auto-registered extension point (engines, listeners, filters)
 * switched off, so a service file cannot add an engine that reports fake successes.
 */
public final class GradeMain {
    /** Exit status of a grading JVM that ran its task; any other status means it did not finish. */
    static final int PASSED = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private GradeMain() {
    }

    public static void main(String[] args) throws IOException {
        // fd 1 is ours from here on; nothing the student's code can reach refers to this stream.
        PrintStream events = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        System.setOut(System.err);
        String token = readToken();
        if (args.length != 3 || !args[0].matches("\\d{1,3}") || !args[1].matches("\\d{1,3}") || !args[2].matches("\\d{1,5}")
                || token == null) {
            System.err.println("usage: GradeMain LAB TASK SECONDS, with the grader's token on stdin");
            System.exit(USAGE);
            return;
        }
        Lab lab = LabCatalog.get(Integer.parseInt(args[0]));
        Task task = lab.task(Integer.parseInt(args[1]));
        boolean passed = run(lab, task, Long.parseLong(args[2]), (kind, fields) -> {
            StringBuilder sb = new StringBuilder(token).append(' ').append(kind);
            for (String f : fields) sb.append(' ').append(Base64.getEncoder().encodeToString(f.getBytes(StandardCharsets.UTF_8)));
            synchronized (events) {
                events.println(sb);
                events.flush();
            }
        });
        // Processes the student's code left running end with this task, not later in someone else's.
        ProcessHandle.current().descendants().forEach(p -> {
            System.err.println("stopped a process your code left running: pid " + p.pid() + " " + p.info().commandLine().orElse(""));
            p.destroyForcibly();
        });
        System.exit(passed ? PASSED : FAILED);
    }

    /** The token: one line on stdin, read byte by byte so that nothing after it is buffered here. */
    private static String readToken() throws IOException {
        FileInputStream in = new FileInputStream(FileDescriptor.in);
        StringBuilder sb = new StringBuilder();
        for (int b; (b = in.read()) != -1 && b != '\n'; ) {
            sb.append((char) b);
            if (sb.length() > 64) return null;
        }
        return sb.toString().matches("[0-9a-f]{32}") ? sb.toString() : null;
    }

    interface Events {
        void send(String kind, String... fields);
    }

    /**
     * Runs every {@code task<N>_...} method of the lab's check for the task; sends one {@code test} event per
     * method (name, ok|fail, problem, where in the student's code) and a {@code done} event.
     */
    static boolean run(Lab lab, Task task, long seconds, Events events) {
        Class<?> check;
        try {
            check = Class.forName(lab.checkClass(), false, GradeMain.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            events.send("test", "-", "fail", "the check " + lab.checkClass() + " is not on the class path (" + e + ")", "");
            events.send("done", String.valueOf(lab.number()), String.valueOf(task.number()), "fail");
            return false;
        }
        String prefix = "task" + task.number() + "_";
        List<DiscoverySelector> selectors = new ArrayList<>();
        Arrays.stream(check.getDeclaredMethods()).filter(m -> m.getName().startsWith(prefix))
                .sorted(Comparator.comparing(Method::getName)).forEach(m -> selectors.add(selectMethod(check, m)));
        if (selectors.isEmpty()) {
            events.send("test", "-", "fail", "the check has no test for this task", "");
            events.send("done", String.valueOf(lab.number()), String.valueOf(task.number()), "fail");
            return false;
        }
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectors)
                .configurationParameter("junit.jupiter.execution.timeout.default", seconds + " s")
                .configurationParameter("junit.jupiter.execution.timeout.thread.mode.default", "SEPARATE_THREAD")
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "false")
                .enableImplicitConfigurationParameters(false) // no junit-platform.properties from anyone's class path
                .build();
        Launcher launcher = LauncherFactory.create(LauncherConfig.builder()
                .enableTestEngineAutoRegistration(false)
                .enableTestExecutionListenerAutoRegistration(false)
                .enablePostDiscoveryFilterAutoRegistration(false)
                .enableLauncherDiscoveryListenerAutoRegistration(false)
                .enableLauncherSessionListenerAutoRegistration(false)
                .addTestEngines(new JupiterTestEngine())
                .build());
        boolean[] allPassed = {true};
        int[] ran = {0};
        launcher.execute(request, new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                boolean ok = result.getStatus() == TestExecutionResult.Status.SUCCESSFUL;
                Optional<String> method = id.getSource().filter(MethodSource.class::isInstance).map(MethodSource.class::cast)
                        .map(MethodSource::getMethodName);
                if (method.isEmpty() || !id.isTest()) {
                    if (!ok) { // the check class could not start (a static initialiser, @BeforeAll)
                        allPassed[0] = false;
                        events.send("test", id.getDisplayName(), "fail",
                                result.getThrowable().map(t -> Grader.describe(t)).orElse("the check could not start"), "");
                    }
                    return;
                }
                ran[0]++;
                if (!ok) allPassed[0] = false;
                Throwable t = result.getThrowable().orElse(null);
                events.send("test", method.get(), ok ? "ok" : "fail", ok ? "" : t == null ? "failed" : Grader.describe(t),
                        t == null ? "" : Grader.where(t, lab).orElse(""));
            }

            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                allPassed[0] = false;
                events.send("test", id.getDisplayName(), "fail", "skipped: " + reason, "");
            }
        });
        boolean passed = allPassed[0] && ran[0] == selectors.size();
        events.send("done", String.valueOf(lab.number()), String.valueOf(task.number()), passed ? "ok" : "fail");
        return passed;
    }
}
