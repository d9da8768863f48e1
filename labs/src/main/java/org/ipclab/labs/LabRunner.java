package org.ipclab.labs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code ipc lab check|run|list} do, kept here so that it is tested with the labs.
 *
 * <p>{@code check}: compile the student's package of lab N (from {@code <tree>/labs/src/student/java}) together
 * with the lab's check (from the ipclab tree that runs, so a submission cannot bring its own check) into
 * {@code <tree>/labs/target/lab-check/labN}, then run {@link GradeMain} in a child JVM with that directory
 * and this JVM's class path. The child's report is passed through; its {@code RESULT} line is recorded in
 * {@code <tree>/labs/.progress} for {@code ipc lab list}.
 */
public final class LabRunner {
    private static final Pattern RESULT = Pattern.compile("RESULT lab=(\\d+) score=(\\d+) max=(\\d+) tasks=.*");
    private static final String PROGRESS = ".progress";

    /** The outcome of one check: score -1 when it did not run (compile error, grader crashed). */
    public record Outcome(Path tree, int lab, int score, int max, String problem) {
        public boolean passed() {
            return score >= 0 && score == max;
        }
    }

    private final Path checks;
    private final String classPath;

    /**
     * @param checksTree the ipclab working tree whose {@code labs/src/check/java} holds the checks
     * @param classPath  what student code and checks compile and run against (the CLI jar, or a test class path)
     */
    public LabRunner(Path checksTree, String classPath) {
        this.checks = checksTree.resolve("labs/src/check/java");
        this.classPath = classPath;
    }

    private static Path studentPackage(Path tree, Lab lab) {
        return tree.resolve(lab.studentDir());
    }

    /** Compiles lab N's student code (and the check when {@code withCheck}); errors go to {@code out}. */
    private Optional<Path> compile(Path tree, Lab lab, boolean withCheck, PrintWriter out) throws IOException {
        Path src = studentPackage(tree, lab);
        if (!Files.isDirectory(src)) {
            out.println("no lab " + lab.number() + " sources at " + src + " (is " + tree + " an ipclab working tree?)");
            return Optional.empty();
        }
        List<Path> roots = new ArrayList<>(List.of(src));
        if (withCheck) {
            roots.add(checks.resolve("org/ipclab/labs/lab" + lab.number()));
            roots.add(checks.resolveSibling("resources").resolve("lab" + lab.number())); // e.g. META-INF/services (skipped when missing)
        }
        Path outDir = tree.resolve("labs/target/lab-" + (withCheck ? "check" : "run") + "/lab" + lab.number());
        LabCompiler.Result r = LabCompiler.compile(tree, roots, outDir, classPath);
        if (!r.ok()) {
            out.println("lab " + lab.number() + ": your code does not compile yet:");
            out.println(r.errors());
            out.println("fix the first error above, then run the check again");
            return Optional.empty();
        }
        return Optional.of(outDir);
    }

    private List<String> java(Path tree, Path classes, String main, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-D" + LabDirs.PROPERTY + "=" + tree.resolve("labs").toAbsolutePath().normalize());
        cmd.add("-cp");
        cmd.add(classes + java.io.File.pathSeparator + classPath);
        cmd.add(main);
        cmd.addAll(args);
        return cmd;
    }

    /** {@code ipc lab check N}: prints the per-task report and returns the outcome. */
    public Outcome check(Path tree, Lab lab, Duration perTask, PrintWriter out) throws IOException, InterruptedException {
        Optional<Path> classes = compile(tree, lab, true, out);
        if (classes.isEmpty()) {
            Outcome o = new Outcome(tree, lab.number(), -1, lab.maxPoints(), "does not compile");
            record(tree, o);
            return o;
        }
        Process p = new ProcessBuilder(java(tree, classes.get(), GradeMain.class.getName(),
                List.of(String.valueOf(lab.number()), String.valueOf(Math.max(1, perTask.toSeconds())))))
                .redirectErrorStream(true).start();
        // Every task has its own timeout inside the grader; this one only guards against the grader itself hanging.
        long limitMs = perTask.toMillis() * (lab.tasks().size() + 1) + 30_000;
        Thread watchdog = new Thread(() -> {
            try {
                if (!p.waitFor(limitMs, TimeUnit.MILLISECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "lab-check-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        Matcher result = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                Matcher m = RESULT.matcher(line);
                if (m.matches()) {
                    result = m;
                } else {
                    out.println(line);
                    out.flush();
                }
            }
        }
        p.waitFor();
        Outcome o = result == null
                ? new Outcome(tree, lab.number(), -1, lab.maxPoints(), "the grader stopped without a result (exit " + p.exitValue() + ")")
                : new Outcome(tree, lab.number(), Integer.parseInt(result.group(2)), Integer.parseInt(result.group(3)), null);
        if (o.problem() != null) out.println("lab " + lab.number() + ": " + o.problem());
        record(tree, o);
        return o;
    }

    /** {@code ipc lab run N CLASS ARGS}: compiles the student's lab N code and runs one of its classes, with this terminal. */
    public int run(Path tree, Lab lab, String className, List<String> args, PrintWriter out) throws IOException, InterruptedException {
        Optional<Path> classes = compile(tree, lab, false, out);
        if (classes.isEmpty()) return 1;
        String main = className.contains(".") ? className : lab.packageName() + "." + className;
        Path file = classes.get().resolve(main.replace('.', '/') + ".class");
        if (!Files.isRegularFile(file)) {
            throw new org.ipclab.core.BadInputException("lab " + lab.number() + " has no class " + className + "; it has: " + classesOf(classes.get(), lab));
        }
        out.flush();
        Process p = new ProcessBuilder(java(tree, classes.get(), main, args)).inheritIO().start();
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

    private static void record(Path tree, Outcome o) {
        Path file = tree.resolve("labs").resolve(PROGRESS);
        Properties props = load(tree);
        props.setProperty("lab" + o.lab(), (o.score() < 0 ? "-" : o.score()) + "/" + o.max() + " "
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
        out.printf("%-4s %-17s %-5s %-22s %s%n", "LAB", "NAME", "TIME", "LAST CHECK", "TOPIC");
        int done = 0;
        for (Lab lab : LabCatalog.all()) {
            String last = props.getProperty("lab" + lab.number());
            String shown = last == null ? "not checked yet" : last;
            if (last != null && last.startsWith(lab.maxPoints() + "/" + lab.maxPoints() + " ")) {
                done++;
                shown = "done " + last;
            }
            out.printf("%-4d %-17s %3dm  %-22s %s%n", lab.number(), lab.slug(), lab.minutes(), shown, lab.title());
        }
        out.printf("%d of %d labs complete. Read docs/labs/README.md to start; check one with 'ipc lab check N'.%n",
                done, LabCatalog.all().size());
    }
}
