package org.ipclab.labs;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

import org.ipclab.core.Names;

/**
 * What {@code ipc lab check|run|list} do, kept here so that it is tested with the labs.
 *
 * <p>{@code check}: compile only the Java files of the student's lab N package (from
 * {@code <tree>/labs/src/student/java/org/ipclab/labs/labN}; a class of another package, or named like the
 * check, refuses the submission), then the lab's check from the ipclab tree that runs (a submission cannot
 * bring its own check) against them, each into its own directory under {@code <tree>/labs/target/lab-check/labN}.
 * {@link Grader} then runs every task in a JVM of its own whose class path puts the trusted classes first,
 * the check next, the student's classes last. The score goes to {@code <tree>/labs/.progress} for
 * {@code ipc lab list}.
 */
public final class LabRunner {
    private static final String PROGRESS = ".progress";
    private static final Pattern LAB_NAME = Pattern.compile("ipclab-\\d+-lab.*");

    /** The outcome of one check: {@code report} is empty when nothing ran (compile error, refused). */
    public record Outcome(Path tree, Lab lab, Optional<Grader.Report> report, String problem) {
        public int score() {
            return report.map(Grader.Report::score).orElse(-1);
        }

        public int max() {
            return report.map(Grader.Report::max).orElse(lab.maxPoints());
        }

        public boolean passed() {
            return report.map(Grader.Report::allPassed).orElse(false);
        }
    }

    private final Path checksTree;
    private final Path checks;
    private final String classPath;

    /**
     * @param checksTree the ipclab working tree whose {@code labs/src/check/java} holds the checks
     * @param classPath  what student code and checks compile and run against (the CLI jar, or a test class path)
     */
    public LabRunner(Path checksTree, String classPath) {
        this.checksTree = checksTree;
        this.checks = checksTree.resolve("labs/src/check/java");
        this.classPath = classPath;
    }

    /** Compiles the student's lab N package alone; errors (or the refusal) go to {@code out}. */
    private Optional<Path> compileStudent(Path tree, Lab lab, Path outDir, PrintWriter out) throws IOException {
        Path src = tree.resolve(lab.studentDir());
        if (!Files.isDirectory(src)) {
            out.println("no lab " + lab.number() + " sources at " + src + " (is " + tree + " an ipclab working tree?)");
            return Optional.empty();
        }
        LabCompiler.Result r = LabCompiler.compileStudent(tree, src, outDir, classPath, lab);
        if (!r.ok()) {
            if (r.errors().startsWith("refused:")) {
                out.println("lab " + lab.number() + ": " + r.errors());
            } else {
                out.println("lab " + lab.number() + ": your code does not compile yet:");
                out.println(r.errors());
                out.println("fix the first error above, then run the check again");
            }
            return Optional.empty();
        }
        return Optional.of(outDir);
    }

    /** How to grade: which tasks (all when empty), their time, the sandbox. */
    public record Options(List<Integer> tasks, Duration perTask, Sandbox sandbox) {
        public static Options of(Duration perTask) {
            return new Options(List.of(), perTask, Sandbox.NONE);
        }
    }

    /** {@code ipc lab check N}: prints the per-task report and returns the outcome. */
    public Outcome check(Path tree, Lab lab, Duration perTask, PrintWriter out) throws IOException {
        return check(tree, lab, Options.of(perTask), out);
    }

    public Outcome check(Path tree, Lab lab, Options options, PrintWriter out) throws IOException {
        List<Task> tasks = new ArrayList<>();
        if (options.tasks().isEmpty()) tasks.addAll(lab.tasks());
        for (int n : options.tasks()) tasks.add(lab.task(n));
        Path work = tree.resolve("labs/target/lab-check/lab" + lab.number());
        Optional<Path> student = compileStudent(tree, lab, work.resolve("student"), out);
        if (student.isEmpty()) {
            Outcome o = new Outcome(tree, lab, Optional.empty(), "does not compile or was refused");
            record(tree, o);
            return o;
        }
        Path checkOut = work.resolve("check");
        LabCompiler.Result r = LabCompiler.compile(checksTree, List.of(checks.resolve("org/ipclab/labs/lab" + lab.number()),
                        checks.resolveSibling("resources").resolve("lab" + lab.number())), checkOut,
                classPath + File.pathSeparator + student.get());
        if (!r.ok()) {
            // The check compiles against the skeleton's signatures: a changed signature breaks it.
            out.println("lab " + lab.number() + ": the check does not compile against your code (did you change a given signature?):");
            out.println(r.errors());
            Outcome o = new Outcome(tree, lab, Optional.empty(), "the check does not compile against it");
            record(tree, o);
            return o;
        }
        cleanLeftovers(out);
        String cp = String.join(File.pathSeparator, classPath, checkOut.toString(), student.get().toString());
        Path labsDir = tree.resolve("labs").toAbsolutePath().normalize();
        if (options.sandbox().isIsolated()) {
            Path stage = checksTree.resolve("labs/target/sandbox");
            String trusted;
            synchronized (LabRunner.class) { // parallel graders share the staged jars
                trusted = Sandbox.stage(classPath, stage.resolve("cp"));
            }
            Path mine = Files.createTempDirectory(stage, "sub");
            Files.setPosixFilePermissions(mine, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x")); // for uid 65534
            String own = Sandbox.stage(checkOut + File.pathSeparator + student.get(), mine.resolve("cp"));
            Path data = labsDir.resolve("lab" + lab.number());
            labsDir = mine.resolve("labs");
            Files.createDirectories(labsDir);
            if (Files.isDirectory(data)) Sandbox.copyTree(data, labsDir.resolve("lab" + lab.number()));
            cp = trusted + File.pathSeparator + own;
        }
        Path tmp = options.sandbox().isIsolated() ? null : Names.privateDirectory("labtmp");
        Grader.Report report;
        try {
            report = Grader.grade(lab, tasks, new Grader.Setup(cp, labsDir, options.perTask(), options.sandbox(), tmp));
        } finally {
            if (tmp != null) Checks.deleteRecursively(tmp);
        }
        Grader.print(report, out);
        Outcome o = new Outcome(tree, lab, Optional.of(report), null);
        if (options.tasks().isEmpty()) record(tree, o);
        return o;
    }

    /**
     * Grades many submissions, {@code jobs} at a time (each task's JVM is mostly waiting for a child or a
     * timeout, but a JVM's start is CPU-bound: more jobs than CPUs only makes each slower). Each submission's
     * report is printed whole when it is done, under {@code == TREE}; the outcomes come back in the order given.
     */
    public List<Outcome> checkAll(List<Path> trees, Lab lab, Options options, int jobs, PrintWriter out) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(Math.max(1, jobs));
        try {
            List<java.util.concurrent.Future<Outcome>> futures = new ArrayList<>();
            for (Path t : trees) {
                futures.add(pool.submit(() -> {
                    java.io.StringWriter text = new java.io.StringWriter();
                    Outcome o = check(t, lab, options, new PrintWriter(text, true));
                    synchronized (out) {
                        if (trees.size() > 1) out.println("== " + t);
                        out.print(text);
                        out.flush();
                    }
                    return o;
                }));
            }
            List<Outcome> outcomes = new ArrayList<>();
            for (java.util.concurrent.Future<Outcome> f : futures) outcomes.add(f.get());
            return outcomes;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Removes what a crashed lab attempt left: files and directories named {@code ipclab-<pid>-lab...}
     * (the names labs use) in the temp directory and /dev/shm whose creator process is gone.
     * Other ipclab objects (a benchmark's) are left to {@code ipc clean}.
     */
    static synchronized void cleanLeftovers(PrintWriter out) {
        for (Path p : Checks.ipclabFiles()) {
            String name = p.getFileName().toString();
            if (!LAB_NAME.matcher(name).matches() || !Names.isStale(name)) continue;
            try {
                org.ipclab.core.OwnedFiles.removeTree(p, org.ipclab.core.Users.uid()); // only our own, never through a symbolic link
                out.println("cleaned up first: removed " + p + " (left by an earlier attempt, process "
                        + Names.creatorPid(name).orElse(-1) + " is gone)");
            } catch (IOException e) {
                out.println("cleaned up first: could not remove " + p + ": " + e.getMessage());
            }
        }
    }

    /** {@code ipc lab run N CLASS ARGS}: compiles the student's lab N code and runs one of its classes, with this terminal. */
    public int run(Path tree, Lab lab, String className, List<String> args, PrintWriter out) throws IOException, InterruptedException {
        Optional<Path> classes = compileStudent(tree, lab, tree.resolve("labs/target/lab-run/lab" + lab.number()), out);
        if (classes.isEmpty()) return 1;
        String main = className.contains(".") ? className : lab.packageName() + "." + className;
        Path file = classes.get().resolve(main.replace('.', '/') + ".class");
        if (!Files.isRegularFile(file)) {
            throw new org.ipclab.core.BadInputException("lab " + lab.number() + " has no class " + className + "; it has: " + classesOf(classes.get(), lab));
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-D" + LabDirs.PROPERTY + "=" + tree.resolve("labs").toAbsolutePath().normalize());
        cmd.add("-cp");
        cmd.add(classPath + File.pathSeparator + classes.get());
        cmd.add(main);
        cmd.addAll(args);
        out.flush();
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        try {
            return p.waitFor();
        } finally {
            if (p.isAlive()) p.destroyForcibly();
        }
    }

    private static String classesOf(Path classes, Lab lab) throws IOException {
        Path dir = classes.resolve(lab.packageName().replace('.', '/'));
        try (var s = Files.list(dir)) {
            return String.join(", ", s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".class") && !n.contains("$"))
                    .map(n -> n.substring(0, n.length() - 6)).sorted().toList());
        }
    }

    private static synchronized void record(Path tree, Outcome o) {
        Path file = tree.resolve("labs").resolve(PROGRESS);
        Properties props = load(tree);
        props.setProperty("lab" + o.lab().number(), (o.score() < 0 ? "-" : o.score()) + "/" + o.max() + " "
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")));
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            props.store(w, "ipc lab check results (ipc lab list shows them); delete to forget");
        } catch (IOException e) {
            // progress is a convenience; the check's result was printed
        }
    }

    private static Properties load(Path tree) {
        Properties props = new Properties();
        Path file = tree.resolve("labs").resolve(PROGRESS);
        if (Files.isRegularFile(file)) {
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                props.load(r);
            } catch (IOException e) {
                // treat as no progress
            }
        }
        return props;
    }

    /** {@code ipc lab list}: the labs in order with the last check's score. */
    public static void list(Path tree, PrintWriter out) {
        Properties props = tree == null ? new Properties() : load(tree);
        int name = LabCatalog.all().stream().mapToInt(l -> l.slug().length()).max().orElse(4);
        String format = "%-4s %-" + name + "s %5s  %-27s %s%n"; // LAST CHECK is at most "done 12/12 yyyy-MM-dd HH:mm"
        out.printf(format, "LAB", "NAME", "TIME", "LAST CHECK", "TOPIC");
        int done = 0;
        for (Lab lab : LabCatalog.all()) {
            String last = props.getProperty("lab" + lab.number());
            String shown = last == null ? "not checked yet" : last;
            if (last != null && last.startsWith(lab.maxPoints() + "/" + lab.maxPoints() + " ")) {
                done++;
                shown = "done " + last;
            }
            out.printf(format, lab.number(), lab.slug(), lab.minutes() + "m", shown, lab.title());
        }
        out.printf("%d of %d labs complete. Read docs/labs/README.md to start; check one with 'ipc lab check N'.%n",
                done, LabCatalog.all().size());
    }
}
