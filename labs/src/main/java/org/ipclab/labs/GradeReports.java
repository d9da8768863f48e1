package org.ipclab.labs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A teacher's outputs of {@code ipc lab check}: JUnit XML (one suite per submission, one test case per task;
 * CI servers and GitHub Classroom read it), Gradescope's {@code results.json} and a per-task CSV with a
 * student id column.
 */
public final class GradeReports {
    private GradeReports() {
    }

    /** {@code students.csv}: {@code directory,student} per line (a header line is allowed); directories are matched by name or path. */
    public static Map<String, String> readStudents(Path file) throws IOException {
        Map<String, String> ids = new LinkedHashMap<>();
        int n = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            n++;
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] f = line.split(",", 2);
            if (f.length != 2 || f[0].isBlank() || f[1].isBlank()) {
                throw new org.ipclab.core.BadInputException(file + ":" + n + ": expected 'directory,student', got '" + line + "'");
            }
            if (n == 1 && f[0].strip().equalsIgnoreCase("directory")) continue;
            ids.put(f[0].strip(), f[1].strip());
        }
        return ids;
    }

    /** The student id of a submission: from the mapping (by path, then by directory name), else the directory's name. */
    public static String studentOf(Path tree, Map<String, String> students) {
        String byPath = students.get(tree.toString());
        if (byPath != null) return byPath;
        String name = tree.toAbsolutePath().normalize().getFileName() == null ? tree.toString()
                : tree.toAbsolutePath().normalize().getFileName().toString();
        return students.getOrDefault(name, name);
    }

    private static List<Grader.TaskResult> results(LabRunner.Outcome o) {
        return o.report().map(Grader.Report::results).orElse(List.of());
    }

    /** A task's text for a teacher's report: the problem, where, the hint and what the code printed. */
    private static String detail(Grader.TaskResult r) {
        if (r.passed()) return "ok";
        StringBuilder sb = new StringBuilder("problem: ").append(r.problem());
        if (r.where() != null) sb.append("\nat: ").append(r.where());
        sb.append("\nhint: ").append(r.task().hint());
        if (!r.output().isBlank()) sb.append("\noutput:\n").append(r.output().strip());
        return sb.toString();
    }

    /** JUnit's XML report format (as Ant and Maven Surefire write it). */
    public static String junitXml(LabRunner.Outcome o, String student) {
        List<Grader.TaskResult> rs = results(o);
        long failures = rs.stream().filter(r -> !r.passed()).count();
        double seconds = rs.stream().mapToDouble(r -> r.took().toMillis() / 1000.0).sum();
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        String suite = "lab" + o.lab().number() + "." + student;
        if (rs.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "<testsuite name=\"%s\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0\">%n",
                    xml(suite)));
            sb.append(String.format(Locale.ROOT, "  <testcase classname=\"%s\" name=\"compile\" time=\"0\">%n    <error message=\"%s\"/>%n  </testcase>%n",
                    xml(suite), xml(o.problem())));
        } else {
            sb.append(String.format(Locale.ROOT, "<testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"0\" time=\"%.3f\">%n",
                    xml(suite), rs.size(), failures, seconds));
            for (Grader.TaskResult r : rs) {
                sb.append(String.format(Locale.ROOT, "  <testcase classname=\"%s\" name=\"task %d: %s\" time=\"%.3f\"",
                        xml(suite), r.task().number(), xml(r.task().title()), r.took().toMillis() / 1000.0));
                if (r.passed()) {
                    sb.append("/>\n");
                } else {
                    sb.append(">\n    <failure message=\"").append(xml(r.problem())).append("\">").append(xml(detail(r)))
                            .append("</failure>\n  </testcase>\n");
                }
            }
        }
        sb.append("</testsuite>\n");
        return sb.toString();
    }

    private static String xml(String s) {
        if (s == null) return "";
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\n', '\t' -> sb.append(c);
                default -> {
                    if (c >= 0x20) sb.append(c); // other control characters are not allowed in XML 1.0
                }
            }
        }
        return sb.toString();
    }

    /**
     * Gradescope's autograder {@code results.json} for one submission: {@code score}, {@code execution_time}
     * and {@code tests[]}, each with {@code name}, {@code number}, {@code score}, {@code max_score},
     * {@code status} and {@code output}.
     */
    public static String gradescopeJson(LabRunner.Outcome o) {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        List<Grader.TaskResult> rs = results(o);
        root.put("score", Math.max(0, o.score()));
        root.put("execution_time", (int) Math.ceil(rs.stream().mapToLong(r -> r.took().toMillis()).sum() / 1000.0));
        if (rs.isEmpty()) root.put("output", "lab " + o.lab().number() + ": " + o.problem());
        ArrayNode tests = root.putArray("tests");
        List<Task> tasks = rs.isEmpty() ? o.lab().tasks() : rs.stream().map(Grader.TaskResult::task).toList();
        for (Task t : tasks) {
            Grader.TaskResult r = rs.stream().filter(x -> x.task().number() == t.number()).findFirst().orElse(null);
            ObjectNode n = tests.addObject();
            n.put("name", "task " + t.number() + ": " + t.title());
            n.put("number", o.lab().number() + "." + t.number());
            n.put("score", r == null ? 0 : r.earned());
            n.put("max_score", t.points());
            n.put("status", r != null && r.passed() ? "passed" : "failed");
            n.put("output", r == null ? o.problem() : detail(r));
        }
        try {
            return json.writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One line per submission and task: {@code student,directory,lab,task,score,max,passed,problem}. */
    public static List<String> csv(List<LabRunner.Outcome> outcomes, Map<String, String> students) {
        List<String> lines = new ArrayList<>(List.of("student,directory,lab,task,score,max,passed,problem"));
        for (LabRunner.Outcome o : outcomes) {
            String student = studentOf(o.tree(), students);
            List<Grader.TaskResult> rs = results(o);
            if (rs.isEmpty()) {
                for (Task t : o.lab().tasks()) {
                    lines.add(String.join(",", csv(student), csv(o.tree().toString()), String.valueOf(o.lab().number()),
                            String.valueOf(t.number()), "0", String.valueOf(t.points()), "false", csv(o.problem())));
                }
            }
            for (Grader.TaskResult r : rs) {
                lines.add(String.join(",", csv(student), csv(o.tree().toString()), String.valueOf(o.lab().number()),
                        String.valueOf(r.task().number()), String.valueOf(r.earned()), String.valueOf(r.task().points()),
                        String.valueOf(r.passed()), csv(r.problem() == null ? "" : r.problem())));
            }
        }
        return lines;
    }

    private static String csv(String s) {
        if (s == null) return "";
        String flat = s.replace('\n', ' ');
        return flat.matches("[^,\"]*") ? flat : "\"" + flat.replace("\"", "\"\"") + "\"";
    }
}
