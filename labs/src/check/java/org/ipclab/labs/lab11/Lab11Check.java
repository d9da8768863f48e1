package org.ipclab.labs.lab11;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.ipclab.core.Names;
import org.ipclab.labs.Checks;
import org.ipclab.labs.Jvm;
import org.ipclab.labs.Seeded;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Lab 11 check: random two- and three-stage pipelines, traced with strace. Without a working strace every task is
 * reported as not graded, with the reason. Tasks and hints: {@link org.ipclab.labs.LabCatalog}.
 */
class Lab11Check {
    static final String CALLS = "trace=pipe,pipe2,dup2,dup3,clone,clone3,vfork,execve,close";
    /** A PATH whose first directory does not exist: the shell's search leaves failed execve calls in the trace. */
    static final String PATH = "/nonexistent:/usr/bin:/bin";

    @RegisterExtension
    final Seeded seeded = new Seeded();
    private final Random random = seeded.random();
    private Path dir;

    /** Why strace cannot be used here, or null when it can. */
    static String straceMissing() {
        try {
            Process p = new ProcessBuilder("strace", "-f", "-qq", "-o", "/dev/null", "true").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(20, TimeUnit.SECONDS)) return "strace did not finish tracing 'true'";
            return p.exitValue() == 0 ? null : "strace cannot trace here: " + out.lines().findFirst().orElse("exit " + p.exitValue());
        } catch (IOException e) {
            return "strace is not installed (Debian/Ubuntu: apt-get install strace); lab 11 needs it";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    @BeforeEach
    void needStrace() throws IOException {
        String why = straceMissing();
        assumeTrue(why == null, why);
        dir = Names.privateDirectory("lab11");
    }

    @AfterEach
    void cleanUp() throws IOException {
        Checks.stopChildren();
        if (dir != null) Checks.deleteRecursively(dir);
    }

    /** A random pipeline of 2 or 3 stages that ends by itself: seq N [| filter] | summary. */
    private List<List<String>> pipeline() {
        List<List<String>> stages = new ArrayList<>();
        stages.add(List.of("seq", String.valueOf(3 + random.nextInt(40))));
        List<List<String>> filters = List.of(List.of("tr", "1", "X"), List.of("grep", "-v", "7"), List.of("tr", "-d", "3"), List.of("sort", "-rn"));
        if (random.nextBoolean()) stages.add(filters.get(random.nextInt(filters.size())));
        String k = String.valueOf(1 + random.nextInt(5));
        List<List<String>> ends = List.of(List.of("wc", "-l"), List.of("wc", "-c"), List.of("tail", "-n", k), List.of("head", "-n", k));
        stages.add(ends.get(random.nextInt(ends.size())));
        return stages;
    }

    private static String shellLine(List<List<String>> stages) {
        return String.join(" | ", stages.stream().map(s -> String.join(" ", s)).toList());
    }

    private static List<String> names(List<List<String>> stages) {
        return stages.stream().map(s -> s.get(0)).sorted().toList();
    }

    /** What the shell prints for the pipeline (the expected output; not traced). */
    private static String shellOutput(List<List<String>> stages) throws Exception {
        Process p = new ProcessBuilder("/bin/sh", "-c", shellLine(stages)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "sh -c '" + shellLine(stages) + "' did not end");
        return out;
    }

    /** The check's own strace run: the command's stdout, the trace in {@code trace}, its stderr beside it ({@code .err}). */
    private static String traced(List<String> command, Path trace) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("strace", "-f", "-y", "-qq", "-e", CALLS, "-o", trace.toString()));
        cmd.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(trace.resolveSibling(trace.getFileName() + ".err").toFile());
        pb.environment().put("PATH", PATH);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "strace " + command + " did not end");
        return out;
    }

    /** The check's own reading of a trace: successful execve paths' file names, and the pipes linking fd 1 of one process to fd 0 of another. */
    record Seen(List<String> programs, int links) {
    }

    private static final Pattern CALL = Pattern.compile("^(\\d+) +(.*)$");

    static Seen read(List<String> lines) {
        List<String> programs = new ArrayList<>();
        Map<String, String> pending = new HashMap<>();
        Map<String, Set<String>> out = new HashMap<>();
        Map<String, Set<String>> in = new HashMap<>();
        Pattern exec = Pattern.compile("^execve\\(\"(?:[^\"]*/)?([^\"/]*)\"");
        Pattern dup = Pattern.compile("^dup[23]\\(\\d+<pipe:\\[(\\d+)\\]>, ([01])[<,)]");
        for (String line : lines) {
            Matcher m = CALL.matcher(line);
            if (!m.matches()) continue;
            String pid = m.group(1);
            String call = m.group(2);
            boolean ok = !call.matches(".*\\) += -1 .*");
            if (call.startsWith("<... execve resumed>")) {
                String p = pending.remove(pid);
                if (p != null && ok) programs.add(p);
                continue;
            }
            Matcher e = exec.matcher(call);
            if (e.find()) {
                if (call.endsWith("<unfinished ...>")) pending.put(pid, e.group(1));
                else if (ok) programs.add(e.group(1));
            }
            Matcher d = dup.matcher(call);
            if (d.find()) (d.group(2).equals("1") ? out : in).computeIfAbsent(d.group(1), x -> new HashSet<>()).add(pid);
        }
        int links = 0;
        for (var w : out.entrySet()) if (in.getOrDefault(w.getKey(), Set.of()).stream().anyMatch(p -> !w.getValue().contains(p))) links++;
        return new Seen(programs, links);
    }

    @Test
    @Timeout(30)
    void task1_readThePipelineInATrace() throws Exception {
        List<List<String>> stages = pipeline();
        Path file = dir.resolve("sh.trace");
        traced(List.of("/bin/sh", "-c", shellLine(stages)), file);
        List<String> lines = Files.readAllLines(file);
        Trace.Evidence ev = Trace.of(lines);
        String what = "strace -f -y of sh -c '" + shellLine(stages) + "' with PATH=" + PATH;
        assertEquals(stages.size() - 1, ev.pipes(), what + ": pipes created (the shell makes one per |)");
        List<String> programs = new ArrayList<>(names(stages));
        programs.add("sh");
        programs.sort(null);
        assertEquals(programs, ev.programs().stream().map(p -> Path.of(p).getFileName().toString()).sorted().toList(),
                what + ": the programs execve'd successfully (sh, then one per stage; the failed tries in /nonexistent do not count)");
        assertEquals(stages.size() - 1, ev.links(), what + ": pipes that one child has on fd 1 and another on fd 0 (dup2)");
    }

    @Test
    @Timeout(30)
    void task2_recordATraceOfTheChildren() throws Exception {
        List<List<String>> stages = pipeline();
        Path file = dir.resolve("record.trace");
        List<String> lines = Trace.record(List.of("/bin/sh", "-c", shellLine(stages)), file);
        assertTrue(Files.isRegularFile(file), "record() should write the trace to " + file + " (strace -o)");
        assertEquals(Files.readAllLines(file), lines, "record() should return the lines of the trace file");
        Seen seen = read(lines);
        List<String> programs = seen.programs().stream().sorted().toList();
        for (String p : names(stages)) {
            assertTrue(programs.contains(p), "the trace of sh -c '" + shellLine(stages) + "' shows no execve of " + p + " (it shows "
                    + programs + "): the stages run in the shell's children: does strace follow them (-f)?");
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains("<pipe:[")), "the trace names no pipe: -y shows what a descriptor is (4<pipe:[N]>)");
        assertEquals(stages.size() - 1, seen.links(), "pipes linking one stage's fd 1 to the next one's fd 0 in the trace of '" + shellLine(stages) + "'");
    }

    @Test
    @Timeout(60)
    void task3_aJavaPipelineThatTheKernelSeesAsOne() throws Exception {
        List<List<String>> stages = pipeline();
        List<String> args = new ArrayList<>();
        for (List<String> s : stages) {
            if (!args.isEmpty()) args.add("--");
            args.addAll(s);
        }
        String expected = shellOutput(stages);
        Path file = dir.resolve("java.trace");
        String out = traced(Jvm.command("org.ipclab.labs.lab11.Plumbing", args.toArray(String[]::new)), file);
        List<String> lines = Files.readAllLines(file);
        String err = Files.readString(dir.resolve("java.trace.err"));
        String todo = err.lines().filter(l -> l.contains("TODO(")).findFirst().orElse(null);
        if (todo != null) throw new UnsupportedOperationException(todo.substring(todo.indexOf("TODO(")));
        assertEquals(expected, out, "Plumbing " + String.join(" ", args) + " should print what sh -c '" + shellLine(stages) + "' prints");
        Seen seen = read(lines);
        for (String p : names(stages)) assertTrue(seen.programs().contains(p), "the trace of Plumbing shows no execve of " + p);
        assertFalse(seen.links() > stages.size() - 1, "more links than stages: " + seen);
        assertEquals(stages.size() - 1, seen.links(), "pipes that one stage has on fd 1 and the next on fd 0 (dup2 in the trace of Plumbing "
                + String.join(" ", args) + "): the stages must be connected to each other, not each to this JVM");
    }
}
