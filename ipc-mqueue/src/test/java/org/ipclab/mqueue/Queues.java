package org.ipclab.mqueue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test helpers: does a queue exist, run the orphan maker. */
final class Queues {
    private Queues() {
    }

    static boolean posixExists(String name) {
        int mqd = Native.libc().mq_open(name, Native.O_RDONLY, 0, null);
        if (mqd >= 0) {
            Native.libc().mq_close(mqd);
            return true;
        }
        return false;
    }

    static boolean sysvExists(int msqid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/sysvipc/msg"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 1 && f[1].equals(Integer.toString(msqid))) return true;
        }
        return false;
    }

    /** Runs {@link OrphanQueue} in a child JVM and returns what it printed. */
    static String orphan(String kind) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), OrphanQueue.class.getName(), kind))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("orphan maker hung");
        }
        if (p.exitValue() != 0) throw new IOException("orphan maker exited with " + p.exitValue());
        return out;
    }
}
