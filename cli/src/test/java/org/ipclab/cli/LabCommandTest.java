package org.ipclab.cli;

import static org.ipclab.cli.CliTest.assertUsageError;
import static org.ipclab.cli.CliTest.ipc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code ipc lab ...} as a student and a teacher run it. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LabCommandTest {
    @TempDir
    Path tmp;

    @Test
    void hintsComeInLevelsAndTheCodeOnlyOnRequest() throws Exception {
        CliTest.Run one = ipc("lab", "hint", "3", "3");
        assertEquals(0, one.exit(), one.all());
        assertTrue(one.out().contains("hint 1 of 2"), one.out());
        assertFalse(one.out().contains("compareAndSet(buf"), "level 1 gives no code: " + one.out());
        assertTrue(one.out().contains("ipc lab hint 3 3 --level 2"), one.out());
        CliTest.Run two = ipc("lab", "hint", "3", "3", "--level", "2");
        assertEquals(0, two.exit(), two.all());
        assertTrue(two.out().contains("compareAndSet(buf"), two.out());
        assertUsageError(ipc("lab", "hint", "3", "3", "--level", "3"), "lab 3 task 3 has hint levels 1..2, not 3");
        assertUsageError(ipc("lab", "hint", "3", "9"), "lab 3 has no task 9");
    }

    @Test
    void badCheckOptionsAreRefusedBeforeAnythingRuns() throws Exception {
        assertUsageError(ipc("lab", "check", "1", "--task", "9"), "lab 1 has no task 9");
        assertUsageError(ipc("lab", "check", "1", "--jobs", "0"), "--jobs must be between 1 and");
        assertUsageError(ipc("lab", "check", "1", "--timeout", "0s"), "--timeout must be between 1s and 600s");
        assertUsageError(ipc("lab", "check", "1", "--dir", tmp.toString()), "is not an ipclab working tree");
        Path a = Files.createDirectories(tmp.resolve("a/labs/src/student"));
        Path b = Files.createDirectories(tmp.resolve("b/labs/src/student"));
        assertUsageError(ipc("lab", "check", "1", "--dir", a.getParent().getParent().toString(), b.getParent().getParent().toString(),
                "--gradescope", tmp.resolve("r.json").toString()), "--gradescope writes one submission's results.json; 2 --dir given");
    }

    @Test
    void handoutRefusesADirectoryThatIsNotEmpty() throws Exception {
        Files.writeString(tmp.resolve("something"), "x");
        assertUsageError(ipc("lab", "handout", tmp.toString()), "is not empty");
    }

    @Test
    void listColumnsStayAligned() throws Exception {
        CliTest.Run r = ipc("lab", "list");
        assertEquals(0, r.exit(), r.all());
        List<String> lines = r.out().lines().toList();
        int topic = lines.get(0).indexOf("TOPIC");
        assertTrue(topic > 0, r.out());
        for (String l : lines.subList(1, lines.size() - 1)) {
            assertEquals(' ', l.charAt(topic - 1), "column before TOPIC in: " + l);
            assertTrue(l.charAt(topic) != ' ', "TOPIC column in: " + l);
        }
    }

    @Test
    void oneTaskOfASubmissionWithEveryReport() throws Exception {
        // A submission whose lab 5 code is the (empty) skeleton: the check runs, task 3 fails, the reports say so.
        Path tree = tmp.resolve("sub");
        Path root = LabCommand.ownTree();
        Path pkg = Path.of("labs/src/student/java/org/ipclab/labs/lab5");
        Files.createDirectories(tree.resolve(pkg));
        try (var s = Files.list(root.resolve(pkg))) {
            for (Path p : s.toList()) Files.copy(p, tree.resolve(pkg).resolve(p.getFileName()));
        }
        Path students = tmp.resolve("students.csv");
        Files.writeString(students, "sub,s42\n");
        Path json = tmp.resolve("results.json");
        Path csv = tmp.resolve("grades.csv");
        Path xml = tmp.resolve("xml");
        CliTest.Run r = ipc("lab", "check", "5", "--task", "3", "--dir", tree.toString(), "--students", students.toString(),
                "--gradescope", json.toString(), "--csv", csv.toString(), "--junit", xml.toString());
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.out().contains("task 3  [0/2]  FAIL"), r.out());
        assertTrue(r.out().contains("score: 0/2"), r.out());
        assertTrue(Files.readString(json).contains("\"max_score\" : 2"), Files.readString(json));
        assertTrue(Files.readAllLines(csv).get(1).startsWith("s42," + tree + ",5,3,0,2,false,"), Files.readString(csv));
        assertTrue(Files.isRegularFile(xml.resolve("TEST-lab5-s42.xml")), "junit report");
    }
}
