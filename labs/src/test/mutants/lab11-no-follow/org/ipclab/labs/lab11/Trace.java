package org.ipclab.labs.lab11;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Lab 11 mutant: strace without -f, tasks 1 and 2. */
public final class Trace {
    private static final Pattern LINE = Pattern.compile("^(\\d+) +(.*)$");
    private static final Pattern EXECVE = Pattern.compile("^execve\\(\"([^\"]*)\"");
    private static final Pattern DUP = Pattern.compile("^dup[23]\\(\\d+<pipe:\\[(\\d+)\\]>, ([01])[<,)]");
    private static final Pattern FAILED = Pattern.compile("\\) += -1 ");

    private Trace() {
    }

    public record Evidence(int pipes, List<String> programs, int links) {
    }

    public static Evidence of(List<String> lines) {
        int pipes = 0;
        List<String> programs = new ArrayList<>();
        Map<String, String> unfinishedExec = new HashMap<>(); // pid -> program, until its resumed line
        Map<String, Set<String>> writers = new HashMap<>(); // pipe inode -> pids with it on fd 1
        Map<String, Set<String>> readers = new HashMap<>(); // pipe inode -> pids with it on fd 0
        for (String raw : lines) {
            Matcher l = LINE.matcher(raw);
            if (!l.matches()) continue;
            String pid = l.group(1);
            String call = l.group(2);
            boolean failed = FAILED.matcher(call).find();
            if (call.startsWith("<... execve resumed>")) {
                String program = unfinishedExec.remove(pid);
                if (program != null && !failed) programs.add(program);
                continue;
            }
            if ((call.startsWith("pipe(") || call.startsWith("pipe2(")) && !failed) pipes++;
            Matcher e = EXECVE.matcher(call);
            if (e.find()) {
                if (call.endsWith("<unfinished ...>")) unfinishedExec.put(pid, e.group(1));
                else if (!failed) programs.add(e.group(1));
            }
            Matcher d = DUP.matcher(call);
            if (d.find() && !failed) (d.group(2).equals("1") ? writers : readers).computeIfAbsent(d.group(1), k -> new HashSet<>()).add(pid);
        }
        int links = 0;
        for (Map.Entry<String, Set<String>> w : writers.entrySet()) {
            Set<String> r = readers.getOrDefault(w.getKey(), Set.of());
            if (r.stream().anyMatch(p -> !w.getValue().contains(p))) links++;
        }
        return new Evidence(pipes, programs, links);
    }

    public static List<String> record(List<String> command, Path out) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("strace", "-y", // Wrong: without -f the children are not traced
                "-qq", "-e",
                "trace=pipe,pipe2,dup2,dup3,clone,clone3,vfork,execve,close", "-o", out.toString()));
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(false).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0 && !Files.exists(out)) throw new IOException("strace failed: " + err.strip());
        return Files.readAllLines(out);
    }
}
