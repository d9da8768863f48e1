package org.ipclab.labs.lab1;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * PROBE (see SandboxTest): answers task 2 correctly only when it runs isolated. Whatever it finds is thrown
 * as the task's problem, so the test shows what leaked.
 */
public final class PingPong {
    private PingPong() {
    }

    public static String play(int rounds) throws IOException, InterruptedException {
        String uid = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("Uid:")).findFirst().orElse("?");
        if (!uid.matches("Uid:\\s+65534\\s.*")) throw new AssertionError("probe: runs as " + uid);
        // The interfaces of this process's network namespace (/sys would show the host's).
        java.util.List<String> nics = Files.readAllLines(Path.of("/proc/self/net/dev")).stream().skip(2)
                .map(l -> l.strip().split(":")[0]).sorted().toList();
        if (!nics.equals(java.util.List.of("lo"))) throw new AssertionError("probe: network interfaces " + nics);
        try (var s = Files.list(Path.of("/tmp"))) {
            java.util.List<Path> seen = s.filter(p -> p.getFileName().toString().contains("labprobe")).toList();
            if (!seen.isEmpty()) throw new AssertionError("probe: sees the grader's /tmp files " + seen);
        }
        Path target = org.ipclab.labs.LabDirs.labsDir().resolve("written-by-probe");
        try {
            Files.writeString(target, "x");
            throw new AssertionError("probe: could write " + target);
        } catch (java.nio.file.AccessDeniedException expected) {
            // good: the teacher's files are not the student's
        }
        long others = ProcessHandle.allProcesses().count();
        if (others > 20) throw new AssertionError("probe: sees " + others + " processes");
        return "pong " + rounds;
    }
}
