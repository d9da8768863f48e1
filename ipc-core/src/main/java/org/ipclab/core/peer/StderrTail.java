package org.ipclab.core.peer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/** Keeps the last lines a peer wrote to stderr, so that an error can quote them. */
final class StderrTail {
    private static final int KEEP = 5;
    private final Deque<String> lines = new ArrayDeque<>();

    static StderrTail follow(Process process) {
        StderrTail tail = new StderrTail();
        Thread t = new Thread(() -> tail.drain(process), "ipclab-peer-stderr-" + process.pid());
        t.setDaemon(true);
        t.start();
        return tail;
    }

    private void drain(Process process) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (Boolean.getBoolean("ipclab.peer.verbose")) System.err.println("[peer " + process.pid() + "] " + line);
                if (line.isBlank() || line.startsWith("WARNING:")) continue;
                synchronized (lines) {
                    if (lines.size() == KEEP) lines.removeFirst();
                    lines.addLast(line.strip());
                }
            }
        } catch (IOException ignored) {
            // the peer is gone
        }
    }

    /** The last lines, joined with " | ", after giving the reader a moment to catch up. */
    String lastLines() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (lines) {
            return String.join(" | ", lines);
        }
    }
}
