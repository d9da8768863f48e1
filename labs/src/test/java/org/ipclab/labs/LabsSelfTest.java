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
import java.util.Map;
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

    /** One pool for every grading here, a few at once: they keep both CPUs busy (a JVM per task, javac per mutant), not more. */
    private static final java.util.concurrent.ExecutorService POOL = java.util.concurrent.Executors.newFixedThreadPool(4);
    /** "solution/N", "skeleton/N": every lab's two gradings, started before the first test asks for one. */
    private static final Map<String, java.util.concurrent.Future<Graded>> GRADINGS = new java.util.concurrent.ConcurrentHashMap<>();

    @BeforeAll
    static void compileBothAndStartTheirGradings() throws IOException {
        compile("skeleton", "student");
        compile("solution", "solution");
        labs().filter(lab -> cannotGrade(lab) == null).forEach(lab -> {
            GRADINGS.put("solution/" + lab, POOL.submit(() -> grade("solution", lab, 30)));
            GRADINGS.put("skeleton/" + lab, POOL.submit(() -> grade("skeleton", lab, 10)));
        });
    }

    @org.junit.jupiter.api.AfterAll
    static void stopThePool() {
        POOL.shutdownNow();
    }

    private static void compile(String variant, String tree) throws IOException {
        List<Path> roots = new ArrayList<>(List.of(LABS.resolve("src/" + tree + "/java"), LABS.resolve("src/check/java")));
        for (Lab lab : LabCatalog.all()) roots.add(LABS.resolve("src/check/resources/lab" + lab.number()));
        LabCompiler.Result r = LabCompiler.compile(ROOT, roots, OUT.resolve(variant), CP);
        assertTrue(r.ok(), variant + " does not compile:\n" + r.errors());
    }

    /** {@code -Dipclab.selftest.labs=9,10}: only these labs (a teacher changing one lab need not wait for all). */
    static boolean selected(int lab) {
        String only = System.getProperty("ipclab.selftest.labs", "").strip();
        return only.isEmpty() || java.util.Arrays.asList(only.split(",")).contains(String.valueOf(lab));
    }

    /** Why a lab cannot be graded on this machine (lab 11 needs a strace that can trace), or null. */
    static String cannotGrade(int lab) {
        if (lab != 11) return null;
        try {
            Process p = new ProcessBuilder("strace", "-f", "-qq", "-o", "/dev/null", "true").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0 ? null : "strace cannot trace here: " + out;
        } catch (IOException e) {
            return "strace is not installed";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    static Stream<Integer> labs() {
        return LabCatalog.all().stream().map(Lab::number).filter(LabsSelfTest::selected);
    }

    record Graded(int score, int max, boolean passed, String output, Grader.Report report) {
    }

    /** Grades precompiled classes the way {@code ipc lab check} does: a JVM per task, trusted classes first. */
    static Graded grade(Path classes, int lab, int taskTimeoutSeconds) {
        Lab l = LabCatalog.get(lab);
        Grader.Report r = Grader.grade(l, l.tasks(), new Grader.Setup(CP + java.io.File.pathSeparator + classes, LABS,
                java.time.Duration.ofSeconds(taskTimeoutSeconds), Sandbox.NONE));
        java.io.StringWriter text = new java.io.StringWriter();
        Grader.print(r, new java.io.PrintWriter(text));
        return new Graded(r.score(), r.max(), r.allPassed(), text.toString(), r);
    }

    static Graded grade(String variant, int lab, int taskTimeoutSeconds) {
        return grade(OUT.resolve(variant), lab, taskTimeoutSeconds);
    }

    /** The jobs on {@link #POOL}, their results in order. */
    static <T> List<T> inParallel(List<java.util.concurrent.Callable<T>> jobs) throws Exception {
        List<T> out = new ArrayList<>();
        for (java.util.concurrent.Future<T> f : POOL.invokeAll(jobs)) out.add(f.get());
        return out;
    }

    @ParameterizedTest(name = "lab {0}: the reference solution passes every task")
    @MethodSource("labs")
    void solutionPasses(int lab) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(cannotGrade(lab) == null, () -> "lab " + lab + ": " + cannotGrade(lab));
        Graded g = GRADINGS.get("solution/" + lab).get();
        assertEquals(g.max(), g.score(), g.output());
        assertTrue(g.passed(), g.output());
    }

    @ParameterizedTest(name = "lab {0}: the untouched skeleton fails every task")
    @MethodSource("labs")
    void skeletonFails(int lab) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(cannotGrade(lab) == null, () -> "lab " + lab + ": " + cannotGrade(lab));
        Graded g = GRADINGS.get("skeleton/" + lab).get();
        assertEquals(0, g.score(), g.output());
        assertFalse(g.passed(), g.output());
        assertTrue(g.output().contains("hint:"), g.output());
    }

    /**
     * A wrong solution (labs/src/test/mutants/NAME overlays the reference solution), the task that must catch it and the
     * problem it must report ({@code a|b}: either).
     */
    record Mutant(String name, int lab, int task, String expected, int failingTasks) {
        Mutant(String name, int lab, int task, String expected) {
            this(name, lab, task, expected, 1);
        }
    }

    static final List<Mutant> MUTANTS = List.of(
            new Mutant("lab1-sleepy", 1, 2, "timed out after 10 seconds"),
            new Mutant("lab1-no-wait", 1, 4, "left child processes running"),
            new Mutant("lab1-no-waitfor", 1, 4, "left child processes running"),
            // The parent's stream to the child (Process.getOutputStream) is buffered: without flush both sides wait.
            new Mutant("lab1-parent-no-flush", 1, 2, "timed out after 10 seconds", 2),
            // Stores yes's endless output before "feeding it on": tasks 3 and 4 run out of memory, the grader does not.
            new Mutant("lab1-sequential-pipeline", 1, 3, "your code ran out of memory", 2),
            new Mutant("lab2-wrong-open-order", 2, 2, "timed out after 10 seconds"),
            // Returned before the (late) producer, or read the value after sleeping: either way it never waited on READY.
            new Mutant("lab3-sleeping-consumer", 3, 4, "returned before anything was produced|the consumer never waited on READY"),
            new Mutant("lab3-leaky-segment", 3, 1, "still exists after close()"),
            new Mutant("lab3-atomic-not-semaphore", 3, 2, "P (acquire) operations on the MUTEX semaphore"),
            new Mutant("lab5-socket-file-left", 5, 2, "is left behind after close()"),
            // Caught twice: by the ring test (task 1) and by the channel test (task 2).
            new Mutant("lab4-close-not-published", 4, 1, "an empty ring whose writer closed is END_OF_STREAM", 2),
            new Mutant("lab6-handler-not-restored", 6, 3, "must put the previous HUP handler back"),
            new Mutant("lab6-handler-instead-of-ignore", 6, 5, "a handler does not survive exec, only SIG_IGN does"),
            new Mutant("lab7-one-number", 7, 4, "never names"),
            new Mutant("lab8-atomic-not-semaphore", 8, 1, "P (acquire) operations on the mutex"),
            new Mutant("lab8-process-not-threads", 8, 2, "should list the"),
            new Mutant("lab9-priority-ignored", 9, 2, "does send() pass the priority?"),
            new Mutant("lab9-offer-blocks", 9, 3, "waited instead of returning false at once"),
            new Mutant("lab9-producer-unlinks", 9, 4, "is gone once its creator exited"),
            new Mutant("lab10-collect-once", 10, 2, "Every real-time signal is queued"),
            new Mutant("lab10-values-dropped", 10, 3, "each queued signal carries its own"),
            new Mutant("lab10-shared-pending", 10, 4, "were aimed at the thread"),
            new Mutant("lab11-no-follow", 11, 2, "does strace follow them (-f)?"),
            new Mutant("lab11-sequential", 11, 3, "must be connected to each other, not each to this JVM"));

    /**
     * Negative checks: each wrong solution fails exactly the task meant to catch it, with the expected
     * problem, and the other tasks of its lab still pass. The mutants are compiled and graded a few at a
     * time: most of a grader's time is spent waiting for a task's time limit.
     */
    @Test
    void wrongSolutionsFailTheTaskMeantToCatchThem() throws Exception {
        List<java.util.concurrent.Callable<Graded>> jobs = new ArrayList<>();
        List<Mutant> mutants = MUTANTS.stream().filter(m -> selected(m.lab()) && cannotGrade(m.lab()) == null).toList();
        for (Mutant m : mutants) jobs.add(() -> grade(compileMutant(m.name(), m.lab()), m.lab(), 30)); // javac in the job too
        List<Graded> graded = inParallel(jobs);
        for (int i = 0; i < mutants.size(); i++) {
            Mutant m = mutants.get(i);
            Graded g = graded.get(i);
            Matcher task = Pattern.compile("(?m)^  task " + m.task() + "  \\[0/\\d+\\]  FAIL .*\\n\\s+problem: (.*)$").matcher(g.output());
            assertTrue(task.find(), m.name() + ": task " + m.task() + " should fail:\n" + g.output());
            String problem = task.group(1);
            assertTrue(java.util.Arrays.stream(m.expected().split("\\|")).anyMatch(problem::contains),
                    m.name() + ": expected '" + m.expected() + "' in: " + problem);
            long failed = g.output().lines().filter(l -> l.matches("  task \\d+  .*FAIL.*")).count();
            assertEquals(m.failingTasks(), failed, m.name() + ": " + m.failingTasks() + " task(s) should fail:\n" + g.output());
        }
    }

    static Path compileMutant(String name, int lab) throws IOException {
        String pkg = "org/ipclab/labs/lab" + lab;
        Path src = OUT.resolve("mutant-src/" + name);
        if (Files.exists(src)) Checks.deleteRecursively(src);
        copyTree(LABS.resolve("src/solution/java/" + pkg), src.resolve(pkg));
        copyTree(LABS.resolve("src/test/mutants/" + name + "/" + pkg), src.resolve(pkg));
        Path classes = OUT.resolve("mutant/" + name);
        LabCompiler.Result r = LabCompiler.compile(ROOT, List.of(src, LABS.resolve("src/check/java/" + pkg),
                LABS.resolve("src/check/resources/lab" + lab)), classes, CP);
        assertTrue(r.ok(), name + " does not compile:\n" + r.errors());
        return classes;
    }

    /**
     * Submissions that try to fake their grade (labs/src/test/forgeries/NAME overlays the lab 1 skeleton) get 0, through
     * the same path as {@code ipc lab check}: a RESULT line from a shutdown hook or onto fd 1, another lab's result with
     * a guessed event token and exit status 0, a student file declaring the grader's main class and JUnit's Assertions.
     */
    @ParameterizedTest(name = "forgery {0} scores 0")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"result-in-shutdown-hook", "other-labs-result", "own-grader-and-assertions"})
    void forgeriesScoreZero(String forgery) throws Exception {
        Path tree = OUT.resolve("forgery/" + forgery);
        if (Files.exists(tree)) Checks.deleteRecursively(tree);
        String pkg = "org/ipclab/labs/lab1";
        Path dst = tree.resolve("labs/src/student/java/" + pkg);
        copyTree(LABS.resolve("src/student/java/" + pkg), dst);
        copyTree(LABS.resolve("src/test/forgeries/" + forgery + "/" + pkg), dst);
        java.io.StringWriter out = new java.io.StringWriter();
        LabRunner.Outcome o = new LabRunner(ROOT, CP).check(tree, LabCatalog.get(1), java.time.Duration.ofSeconds(10),
                new java.io.PrintWriter(out, true));
        assertFalse(o.passed(), out.toString());
        assertTrue(o.score() <= 0, "score " + o.score() + ":\n" + out);
        if (forgery.equals("own-grader-and-assertions")) {
            assertTrue(out.toString().contains("refused: your lab 1 code declares org.ipclab.labs.GradeMain, org.junit.jupiter.api.Assertions")
                    || out.toString().contains("refused: your lab 1 code declares org.junit.jupiter.api.Assertions, org.ipclab.labs.GradeMain"),
                    out.toString());
        } else {
            assertEquals(0, o.score(), out.toString());
        }
    }

    /**
     * Even when the refusal is bypassed (the forged GradeMain and Assertions compiled onto the class path), the trusted
     * classes come first and win: the wrong child still fails task 1, and nothing reaches full marks.
     */
    @Test
    void studentClassesNeverShadowTheGraderOrJUnit() throws Exception {
        String pkg = "org/ipclab/labs/lab1";
        Path src = OUT.resolve("shadow-src");
        if (Files.exists(src)) Checks.deleteRecursively(src);
        copyTree(LABS.resolve("src/student/java/" + pkg), src.resolve(pkg));
        copyTree(LABS.resolve("src/test/forgeries/own-grader-and-assertions/" + pkg), src.resolve(pkg));
        Path student = OUT.resolve("shadow/student");
        LabCompiler.Result r = LabCompiler.compile(ROOT, List.of(src), student, CP);
        assertTrue(r.ok(), r.errors());
        assertTrue(Files.isRegularFile(student.resolve("org/junit/jupiter/api/Assertions.class")), "the forged class exists");
        Path check = OUT.resolve("shadow/check");
        r = LabCompiler.compile(ROOT, List.of(LABS.resolve("src/check/java/" + pkg)), check, CP + java.io.File.pathSeparator + student);
        assertTrue(r.ok(), r.errors());
        Graded g = grade(Path.of(check + java.io.File.pathSeparator + student), 1, 10);
        assertEquals(0, g.score(), g.output());
        assertTrue(g.output().contains("answer to 'ping 1'"), "the real assertEquals ran:\n" + g.output());
    }

    /** A student's mistake fails a task, never the grader: here memory (the sequential pipeline). */
    @Test
    void memoryIsReportedPerTask() throws IOException {
        Graded g = grade(compileMutant("lab1-sequential-pipeline", 1), 1, 30);
        assertTrue(g.output().contains("your code ran out of memory"), g.output());
        assertEquals(5, g.score(), "tasks 1 and 2 still pass:\n" + g.output());
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
            java.io.StringWriter out = new java.io.StringWriter();
            LabRunner.cleanLeftovers(new java.io.PrintWriter(out, true));
            assertTrue(out.toString().contains("cleaned up first: removed " + leftover), out.toString());
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
            for (Task t : lab.tasks()) {
                assertFalse(t.hint().isBlank(), lab.number() + "." + t.number());
                // Level 1 names the call and the trap; the code's shape is a level the student asks for.
                if (lab.number() == 4 || lab.number() >= 9) assertEquals(2, t.hints().size(), lab.number() + "." + t.number() + " has a level 2");
            }
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
