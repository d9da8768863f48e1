package org.ipclab.labs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.ipclab.core.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code ipc lab check|run|list} do, on submission trees made for the test. */
class LabRunnerTest {
    static final Path LABS = LabDirs.labsDir();
    static final Path ROOT = LABS.getParent();
    final LabRunner runner = new LabRunner(ROOT, System.getProperty("java.class.path"));

    @TempDir
    Path tmp;

    /** A submission whose lab code is the reference solution. */
    private Path submission(String name) throws Exception {
        Path tree = tmp.resolve(name);
        Path to = tree.resolve("labs/src/student/java");
        Path from = LABS.resolve("src/solution/java");
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
        return tree;
    }

    @Test
    void checkCompilesGradesAndRecordsProgress() throws Exception {
        Path tree = submission("alice");
        StringWriter out = new StringWriter();
        LabRunner.Outcome o = runner.check(tree, LabCatalog.get(5), Duration.ofSeconds(20), new PrintWriter(out, true));
        assertTrue(o.passed(), out.toString());
        assertTrue(out.toString().contains("score: 10/10  -- lab 5 complete"), out.toString());
        assertFalse(out.toString().contains("RESULT "), "the machine line is not shown");

        StringWriter list = new StringWriter();
        LabRunner.list(tree, new PrintWriter(list, true));
        assertTrue(list.toString().lines().anyMatch(l -> l.startsWith("5 ") && l.contains("done 10/10")), list.toString());
        assertTrue(list.toString().contains("1 of " + LabCatalog.all().size() + " labs complete"), list.toString());
    }

    @Test
    void aCompileErrorIsShownWithFileAndLineAndNothingRuns() throws Exception {
        Path tree = submission("bob");
        Path file = tree.resolve("labs/src/student/java/org/ipclab/labs/lab5/UdpEcho.java");
        Files.writeString(file, Files.readString(file).replace("channel.close();", "channel.close()"));
        // Another lab's broken code must not matter: only lab 5 is compiled.
        Files.writeString(tree.resolve("labs/src/student/java/org/ipclab/labs/lab1/Broken.java"), "class Broken {");
        StringWriter out = new StringWriter();
        LabRunner.Outcome o = runner.check(tree, LabCatalog.get(5), Duration.ofSeconds(20), new PrintWriter(out, true));
        assertEquals(-1, o.score());
        assertEquals("does not compile or was refused", o.problem());
        assertTrue(out.toString().contains("labs/src/student/java/org/ipclab/labs/lab5/UdpEcho.java:"), out.toString());
        assertTrue(out.toString().contains("error: ';' expected"), out.toString());
        assertFalse(out.toString().contains("lab1/Broken.java"), out.toString());
    }

    /** 10 rounds minus a JVM's start-up gave negative round trips: PingPong refuses to measure so few (exit 2). */
    @Test
    void pingPongRefusesTooFewRoundsToMeasure() throws Exception {
        Path tree = submission("dave");
        assertEquals(2, runner.run(tree, LabCatalog.get(1), "PingPong", List.of("10"), new PrintWriter(new StringWriter())));
    }

    @Test
    void runRefusesAClassTheLabDoesNotHave() throws Exception {
        Path tree = submission("carol");
        BadInputException e = assertThrows(BadInputException.class,
                () -> runner.run(tree, LabCatalog.get(1), "Nope", List.of(), new PrintWriter(new StringWriter())));
        assertEquals("lab 1 has no class Nope; it has: PingPong, PingPongChild, Pipeline", e.getMessage());
    }
}
