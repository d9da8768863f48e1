package org.ipclab.labs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** What a teacher gets: Gradescope's results.json, JUnit XML, the per-task CSV, the handout, parallel and sandboxed grading. */
class TeacherOutputsTest {
    static final Path LABS = LabDirs.labsDir();
    static final Path ROOT = LABS.getParent();
    static final String CP = System.getProperty("java.class.path");
    final LabRunner runner = new LabRunner(ROOT, CP);

    @TempDir
    Path tmp;

    /** A submission: the reference solution of lab {@code lab}, with a mutant over it when {@code mutant} is given. */
    private Path submission(String name, int lab, String mutant) throws Exception {
        Path tree = tmp.resolve(name);
        String pkg = "org/ipclab/labs/lab" + lab;
        Sandbox.copyTree(LABS.resolve("src/solution/java/" + pkg), tree.resolve("labs/src/student/java/" + pkg));
        if (mutant != null) Sandbox.copyTree(LABS.resolve("src/test/" + mutant + "/" + pkg), tree.resolve("labs/src/student/java/" + pkg));
        return tree;
    }

    /**
     * Gradescope's "Autograder Specifications" (results.json): the top-level keys and the keys of each test it
     * reads. Anything else would be silently ignored there, so a typo must fail here.
     */
    static final Set<String> GRADESCOPE_TOP = Set.of("score", "execution_time", "output", "output_format", "test_output_format",
            "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard");
    static final Set<String> GRADESCOPE_TEST = Set.of("score", "max_score", "status", "name", "name_format", "number", "output",
            "output_format", "tags", "visibility", "extra_data");

    @Test
    void gradescopeJsonAndJunitXmlDescribeEachTask() throws Exception {
        Path tree = submission("alice", 1, "mutants/lab1-no-waitfor"); // task 4 fails, the others pass
        StringWriter text = new StringWriter();
        LabRunner.Outcome o = runner.check(tree, LabCatalog.get(1), Duration.ofSeconds(20), new PrintWriter(text, true));
        assertEquals(8, o.score(), text.toString());

        JsonNode json = new ObjectMapper().readTree(GradeReports.gradescopeJson(o));
        for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            assertTrue(GRADESCOPE_TOP.contains(k), "not a results.json field: " + k);
        }
        assertEquals(8, json.get("score").asInt());
        assertEquals(4, json.get("tests").size());
        int sum = 0;
        for (JsonNode t : json.get("tests")) {
            for (Iterator<String> it = t.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                assertTrue(GRADESCOPE_TEST.contains(k), "not a tests[] field: " + k);
            }
            assertTrue(t.get("score").isNumber() && t.get("max_score").isNumber() && t.get("output").isTextual(), t.toString());
            assertTrue(Set.of("passed", "failed").contains(t.get("status").asText()), t.toString());
            sum += t.get("score").asInt();
        }
        assertEquals(8, sum);
        JsonNode task4 = json.get("tests").get(3);
        assertEquals(0, task4.get("score").asInt());
        assertEquals(2, task4.get("max_score").asInt());
        assertTrue(task4.get("output").asText().contains("left child processes running"), task4.toString());
        assertTrue(task4.get("output").asText().contains("hint: "), task4.toString());

        Document xml = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new java.io.ByteArrayInputStream(GradeReports.junitXml(o, "alice").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        Element suite = xml.getDocumentElement();
        assertEquals("testsuite", suite.getTagName());
        assertEquals("4", suite.getAttribute("tests"));
        assertEquals("1", suite.getAttribute("failures"));
        NodeList cases = suite.getElementsByTagName("testcase");
        assertEquals(4, cases.getLength());
        Element fourth = (Element) cases.item(3);
        assertTrue(fourth.getAttribute("name").startsWith("task 4: "), fourth.getAttribute("name"));
        assertEquals(1, fourth.getElementsByTagName("failure").getLength());
        assertTrue(((Element) fourth.getElementsByTagName("failure").item(0)).getAttribute("message").contains("left child processes"));
        assertEquals(0, ((Element) cases.item(0)).getElementsByTagName("failure").getLength());
    }

    @Test
    void manySubmissionsInParallelWithStudentIdsInTheCsv() throws Exception {
        Path good = submission("sub-1", 5, null);
        Path broken = submission("sub-2", 5, null);
        Files.writeString(broken.resolve("labs/src/student/java/org/ipclab/labs/lab5/Frames.java"), "class Frames {");
        Path map = tmp.resolve("students.csv");
        Files.writeString(map, "directory,student\nsub-1,s1001\n" + broken + ",s1002\n");
        StringWriter text = new StringWriter();
        List<LabRunner.Outcome> outs = runner.checkAll(List.of(good, broken), LabCatalog.get(5),
                new LabRunner.Options(List.of(3, 4), Duration.ofSeconds(20), Sandbox.NONE), 2, new PrintWriter(text, true));
        assertEquals(2, outs.size());
        assertTrue(outs.get(0).passed(), text.toString());
        assertFalse(outs.get(1).passed(), text.toString());
        assertTrue(text.toString().contains("== " + good) && text.toString().contains("== " + broken), text.toString());

        Map<String, String> ids = GradeReports.readStudents(map);
        List<String> csv = GradeReports.csv(outs, ids);
        assertEquals("student,directory,lab,task,score,max,passed,problem", csv.get(0));
        assertEquals("s1001," + good + ",5,3,2,2,true,", csv.get(1));
        assertEquals("s1001," + good + ",5,4,2,2,true,", csv.get(2));
        assertTrue(csv.stream().anyMatch(l -> l.startsWith("s1002," + broken + ",5,1,0,3,false,")), String.join("\n", csv));
    }

    @Test
    void onlyTheChosenTaskIsGradedAndProgressIsNotRecorded() throws Exception {
        Path tree = submission("carol", 5, null);
        StringWriter text = new StringWriter();
        LabRunner.Outcome o = runner.check(tree, LabCatalog.get(5), new LabRunner.Options(List.of(3), Duration.ofSeconds(20), Sandbox.NONE),
                new PrintWriter(text, true));
        assertTrue(o.passed(), text.toString());
        assertEquals(2, o.max());
        assertTrue(text.toString().contains("score: 2/2"), text.toString());
        assertFalse(text.toString().contains("task 1"), text.toString());
        assertFalse(Files.exists(tree.resolve("labs/.progress")), "one task is not the lab's score");
    }

    @Test
    void theHandoutHasNoSolutionsMutantsOrAnswerKeys() throws Exception {
        assumeTrue(Files.exists(ROOT.resolve(".git")), "not a git work tree");
        Path out = tmp.resolve("handout");
        int n = Handout.write(ROOT, out);
        assertTrue(n > 50, n + " files");
        assertFalse(Files.exists(out.resolve("labs/src/solution")), "solutions in the handout");
        assertFalse(Files.exists(out.resolve("labs/src/test")), "mutants/self-test in the handout");
        assertFalse(Files.exists(out.resolve("docs/labs/answers")), "answer keys in the handout");
        assertTrue(Files.isRegularFile(out.resolve("labs/src/student/java/org/ipclab/labs/lab1/PingPong.java")));
        assertTrue(Files.isRegularFile(out.resolve("labs/src/check/java/org/ipclab/labs/lab1/Lab1Check.java")));
        assertTrue(Files.isRegularFile(out.resolve("docs/labs/lab1-pipes.md")));
        assertTrue(Files.isRegularFile(out.resolve("ipc")) && Files.isExecutable(out.resolve("ipc")), "the ipc script, executable");
        try (Stream<Path> all = Files.walk(out)) {
            List<Path> leaks = all.map(out::relativize).filter(p -> p.toString().contains("solution") || p.toString().contains("mutants")
                    || p.toString().contains("forgeries") || p.startsWith("labs") && p.toString().endsWith("results.json")).toList();
            assertEquals(List.of(), leaks);
        }
        org.ipclab.core.BadInputException e = org.junit.jupiter.api.Assertions.assertThrows(org.ipclab.core.BadInputException.class,
                () -> Handout.write(ROOT, out));
        assertTrue(e.getMessage().endsWith("is not empty; give a new or empty directory for the handout"), e.getMessage());
    }

    @Test
    void theSandboxRunsTheTaskAsNobodyWithoutNetworkFilesOrOtherProcesses() throws Exception {
        Sandbox box;
        try {
            box = Sandbox.isolated();
        } catch (org.ipclab.core.BadInputException e) {
            assumeTrue(false, e.getMessage());
            return;
        }
        Path marker = Files.createFile(tmp.getParent().resolve("ipclab-" + ProcessHandle.current().pid() + "-labprobe"));
        try {
            Path probe = submission("probe", 1, "probes/sandbox");
            StringWriter text = new StringWriter();
            LabRunner.Outcome o = runner.check(probe, LabCatalog.get(1), new LabRunner.Options(List.of(2), Duration.ofSeconds(30), box),
                    new PrintWriter(text, true));
            assertTrue(o.passed(), text.toString());

            // The same probe outside the sandbox finds what it must not.
            text = new StringWriter();
            o = runner.check(probe, LabCatalog.get(1), new LabRunner.Options(List.of(2), Duration.ofSeconds(30), Sandbox.NONE),
                    new PrintWriter(text, true));
            assertFalse(o.passed(), text.toString());
            assertTrue(text.toString().contains("probe: runs as Uid:"), text.toString());

            // A whole lab that needs loopback TCP/UDP, Unix sockets in /tmp and child processes still passes inside.
            text = new StringWriter();
            o = runner.check(submission("sockets", 5, null), LabCatalog.get(5), new LabRunner.Options(List.of(), Duration.ofSeconds(30), box),
                    new PrintWriter(text, true));
            assertTrue(o.passed(), text.toString());
        } finally {
            Files.deleteIfExists(marker);
        }
    }
}
