package org.ipclab.labs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.ipclab.core.BadInputException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves every lab's check PASSES on the reference solution and FAILS (scores 0) on the untouched
 * skeleton. Student + check sources and solution + check sources are compiled into separate
 * directories; each is graded by {@link GradeMain} in its own JVM, as {@code ipc lab check} does.
 */
class LabsSelfTest {
    static final Path LABS = LabDirs.labsDir();
    static final Path ROOT = LABS.getParent();
    static final Path OUT = LABS.resolve("target/selftest");
    static final String CP = System.getProperty("java.class.path");
    private static final Pattern RESULT = Pattern.compile("RESULT lab=(\\d+) score=(\\d+) max=(\\d+) .*");

    @BeforeAll
    static void compileBoth() throws IOException {
        compile("skeleton", "student");
        compile("solution", "solution");
    }

    private static void compile(String variant, String tree) throws IOException {
        List<Path> roots = new ArrayList<>(List.of(LABS.resolve("src/" + tree + "/java"), LABS.resolve("src/check/java")));
        for (Lab lab : LabCatalog.all()) roots.add(LABS.resolve("src/check/resources/lab" + lab.number()));
        LabCompiler.Result r = LabCompiler.compile(ROOT, roots, OUT.resolve(variant), CP);
        assertTrue(r.ok(), variant + " does not compile:\n" + r.errors());
    }

    static Stream<Integer> labs() {
        return LabCatalog.all().stream().map(Lab::number);
    }

    record Graded(int exit, int score, int max, String output) {
    }

    static Graded grade(String variant, int lab, int taskTimeoutSeconds) throws Exception {
        return finish(start(OUT.resolve(variant), lab, taskTimeoutSeconds));
    }

    static Process start(Path classes, int lab, int taskTimeoutSeconds) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-D" + LabDirs.PROPERTY + "=" + LABS,
                "-cp", classes + java.io.File.pathSeparator + CP,
                GradeMain.class.getName(), String.valueOf(lab), String.valueOf(taskTimeoutSeconds)));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    static Graded finish(Process p) throws Exception {
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "grader did not end");
        String text = new String(out, StandardCharsets.UTF_8);
        Matcher m = text.lines().map(RESULT::matcher).filter(Matcher::matches).findFirst()
                .orElseThrow(() -> new AssertionError("no RESULT line:\n" + text));
        return new Graded(p.exitValue(), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), text);
    }

    @ParameterizedTest(name = "lab {0}: the reference solution passes every task")
    @MethodSource("labs")
    void solutionPasses(int lab) throws Exception {
        Graded g = grade("solution", lab, 30);
        assertEquals(g.max(), g.score(), g.output());
        assertEquals(0, g.exit(), g.output());
    }

    @ParameterizedTest(name = "lab {0}: the untouched skeleton fails every task")
    @MethodSource("labs")
    void skeletonFails(int lab) throws Exception {
        Graded g = grade("skeleton", lab, 10);
        assertEquals(0, g.score(), g.output());
        assertEquals(1, g.exit(), g.output());
        assertTrue(g.output().contains("hint:"), g.output());
    }

    /** A wrong solution (labs/src/test/mutants/NAME overlays the reference solution) and the task that must catch it. */
    record Mutant(String name, int lab, int task, String expected, int failingTasks) {
        Mutant(String name, int lab, int task, String expected) {
            this(name, lab, task, expected, 1);
        }
    }

    static final List<Mutant> MUTANTS = List.of(
            new Mutant("lab1-sleepy", 1, 2, "timed out after 10 seconds"),
            new Mutant("lab1-no-wait", 1, 4, "left child processes running"),
            new Mutant("lab2-wrong-open-order", 2, 2, "timed out after 10 seconds"),
            new Mutant("lab3-sleeping-consumer", 3, 4, "returned before anything was produced"),
            new Mutant("lab3-leaky-segment", 3, 1, "still exists after close()"),
            new Mutant("lab5-socket-file-left", 5, 2, "is left behind after close()"),
            // Caught twice: by the ring test (task 1) and by the channel test (task 2).
            new Mutant("lab4-close-not-published", 4, 1, "an empty ring whose writer closed is END_OF_STREAM", 2),
            new Mutant("lab6-handler-not-restored", 6, 3, "must put the previous HUP handler back"));

    /**
     * Negative checks: each wrong solution fails exactly the task meant to catch it, with the expected
     * problem, and the other tasks of its lab still pass. The graders run at the same time: most of
     * their time is spent waiting for a task's time limit.
     */
    @Test
    void wrongSolutionsFailTheTaskMeantToCatchThem() throws Exception {
        Path mutants = LABS.resolve("src/test/mutants");
        List<Process> running = new ArrayList<>();
        for (Mutant m : MUTANTS) {
            String pkg = "org/ipclab/labs/lab" + m.lab();
            Path src = OUT.resolve("mutant-src/" + m.name());
            if (Files.exists(src)) Checks.deleteRecursively(src);
            copyTree(LABS.resolve("src/solution/java/" + pkg), src.resolve(pkg));
            copyTree(mutants.resolve(m.name() + "/" + pkg), src.resolve(pkg));
            Path classes = OUT.resolve("mutant/" + m.name());
            LabCompiler.Result r = LabCompiler.compile(ROOT, List.of(src, LABS.resolve("src/check/java/" + pkg),
                    LABS.resolve("src/check/resources/lab" + m.lab())), classes, CP);
            assertTrue(r.ok(), m.name() + " does not compile:\n" + r.errors());
            running.add(start(classes, m.lab(), 30));
        }
        for (int i = 0; i < MUTANTS.size(); i++) {
            Mutant m = MUTANTS.get(i);
            Graded g = finish(running.get(i));
            Matcher task = Pattern.compile("(?m)^  task " + m.task() + "  \\[0/\\d+\\]  FAIL .*\\n\\s+problem: (.*)$").matcher(g.output());
            assertTrue(task.find(), m.name() + ": task " + m.task() + " should fail:\n" + g.output());
            assertTrue(task.group(1).contains(m.expected()), m.name() + ": expected '" + m.expected() + "' in: " + task.group(1));
            long failed = g.output().lines().filter(l -> l.matches("  task \\d+  .*FAIL.*")).count();
            assertEquals(m.failingTasks(), failed, m.name() + ": " + m.failingTasks() + " task(s) should fail:\n" + g.output());
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @Test
    void leftoversOfACrashedAttemptAreRemovedFirst() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path leftover = Path.of("/tmp", "ipclab-" + gone.pid() + "-lab2-selftest");
        Files.createDirectories(leftover.resolve("inner"));
        try {
            Graded g = grade("skeleton", 1, 10);
            assertTrue(g.output().contains("cleaned up first: removed " + leftover), g.output());
            assertFalse(Files.exists(leftover), "still there: " + leftover);
        } finally {
            if (Files.exists(leftover)) Checks.deleteRecursively(leftover);
        }
    }

    @Test
    void everyTaskHasHintAndEveryLabHasItsDocAndSkeleton() {
        for (Lab lab : LabCatalog.all()) {
            assertTrue(Files.isRegularFile(ROOT.resolve(lab.docPath())), lab.docPath());
            assertTrue(Files.isDirectory(ROOT.resolve(lab.studentDir())), lab.studentDir());
            for (Task t : lab.tasks()) assertFalse(t.hint().isBlank(), lab.number() + "." + t.number());
        }
    }

    @Test
    void unknownLabListsTheLabs() {
        BadInputException e = assertThrows(BadInputException.class, () -> LabCatalog.get(99));
        assertTrue(e.getMessage().startsWith("there is no lab 99; the labs are: 1 (pipes)"), e.getMessage());
    }

    @Test
    void aCompileErrorNamesFileAndLine() throws IOException {
        Path tree = Files.createTempDirectory("labs-selftest");
        try {
            Path src = tree.resolve("java/org/ipclab/labs/lab1");
            Files.createDirectories(src);
            Files.writeString(src.resolve("Broken.java"), "package org.ipclab.labs.lab1;\nclass Broken {\n  int x = ;\n}\n");
            LabCompiler.Result r = LabCompiler.compile(tree, List.of(tree.resolve("java")), tree.resolve("out"), CP);
            assertFalse(r.ok());
            assertTrue(r.errors().startsWith("java/org/ipclab/labs/lab1/Broken.java:3: error: illegal start of expression"), r.errors());
            assertTrue(r.errors().contains("int x = ;"), r.errors());
        } finally {
            Checks.deleteRecursively(tree);
        }
    }
}
