package org.ipclab.labs;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles lab sources (the student's tree, or the reference solutions, together with the checks)
 * into a fresh directory with the JDK's own compiler, and reports errors the way a student reads
 * them: {@code labs/src/student/java/org/ipclab/labs/lab1/PingPong.java:42: error: ';' expected}.
 * Non-Java files under trusted source roots (test data, service files) are copied beside the classes;
 * a student's tree gives only Java sources, and only classes of the lab's own package
 * ({@link #compileStudent}).
 */
public final class LabCompiler {
    public record Result(boolean ok, String errors) {
    }

    private LabCompiler() {
    }

    /**
     * @param root        paths in messages are shown relative to this directory
     * @param sourceRoots directories with Java sources (missing ones are skipped)
     * @param classPath   the class path to compile against (ipc-core, JUnit, the grading framework)
     */
    public static Result compile(Path root, List<Path> sourceRoots, Path out, String classPath) throws IOException {
        return compile(root, sourceRoots, out, classPath, true);
    }

    /**
     * Compiles the Java files of a student's lab directory, nothing else (a resource such as a service file
     * could register code with JUnit), and refuses the result unless every class is in the lab's package and
     * none is named like the check: a student file may not declare the grader, JUnit or the check.
     */
    public static Result compileStudent(Path root, Path labDir, Path out, String classPath, Lab lab) throws IOException {
        Result r = compile(root, List.of(labDir), out, classPath, false);
        if (!r.ok()) return r;
        Path pkg = out.resolve(lab.packageName().replace('.', '/'));
        String check = "Lab" + lab.number() + "Check";
        List<String> refused = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(out)) {
            for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                String name = p.getFileName().toString();
                boolean inPackage = p.getParent().equals(pkg);
                if (!inPackage || name.equals(check + ".class") || name.startsWith(check + "$")) {
                    refused.add(out.relativize(p).toString().replace(".class", "").replace('/', '.'));
                }
            }
        }
        if (refused.isEmpty()) return r;
        Checks.deleteRecursively(out);
        return new Result(false, "refused: your lab " + lab.number() + " code declares " + String.join(", ", refused)
                + "; only classes of package " + lab.packageName() + " are graded, and " + check + " is the check's name");
    }

    private static Result compile(Path root, List<Path> sourceRoots, Path out, String classPath, boolean resources) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            return new Result(false, "no Java compiler in " + System.getProperty("java.home") + ": run ipc with a JDK, not a JRE");
        }
        if (Files.exists(out)) Checks.deleteRecursively(out);
        Files.createDirectories(out);
        List<Path> sources = new ArrayList<>();
        for (Path src : sourceRoots) {
            if (!Files.isDirectory(src)) continue;
            try (Stream<Path> walk = Files.walk(src)) {
                for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                    if (p.toString().endsWith(".java")) {
                        sources.add(p);
                    } else if (resources) {
                        Path target = out.resolve(src.relativize(p).toString());
                        Files.createDirectories(target.getParent());
                        Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
            List<String> options = List.of("--release", "17", "-g", "-nowarn", "-implicit:none", "-proc:none",
                    "-encoding", "UTF-8", "-d", out.toString(), "-cp", classPath);
            StringWriter noise = new StringWriter();
            boolean ok = javac.getTask(noise, files, diagnostics, options, null, files.getJavaFileObjectsFromPaths(sources)).call();
            String errors = diagnostics.getDiagnostics().stream()
                    .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                    .map(d -> format(d, root))
                    .collect(Collectors.joining("\n"));
            if (!ok && errors.isEmpty()) errors = noise.toString().strip();
            return new Result(ok, errors);
        }
    }

    private static String format(Diagnostic<? extends JavaFileObject> d, Path root) {
        String file = "?";
        String line = "";
        if (d.getSource() != null) {
            Path p = Path.of(d.getSource().toUri());
            file = root.toAbsolutePath().relativize(p.toAbsolutePath()).toString();
            try {
                List<String> lines = Files.readAllLines(p);
                if (d.getLineNumber() >= 1 && d.getLineNumber() <= lines.size()) {
                    String code = lines.get((int) d.getLineNumber() - 1);
                    long col = Math.max(1, d.getColumnNumber());
                    line = "\n    " + code + "\n    " + " ".repeat((int) Math.min(col - 1, code.length())) + "^";
                }
            } catch (IOException e) {
                // the message alone is still useful
            }
        }
        return file + ":" + d.getLineNumber() + ": error: " + d.getMessage(Locale.ROOT) + line;
    }
}
