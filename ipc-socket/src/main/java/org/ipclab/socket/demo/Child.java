package org.ipclab.socket.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts a demo's second process (same java, same class path) and relays its output, indented. */
final class Child implements AutoCloseable {
    private final Process process;
    private final Thread relay;

    private Child(Process process, Thread relay) {
        this.process = process;
        this.relay = relay;
    }

    static Child start(PrintStream out, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(org.ipclab.core.peer.PeerLauncher.javaBinary());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("WARNING:")) continue; // JDK 22+ native-access notices
                    synchronized (out) {
                        out.println("      [child " + p.pid() + "] " + line);
                    }
                }
            } catch (IOException ignored) {
                // the child is gone
            }
        }, "demo-child-relay");
        t.setDaemon(true);
        t.start();
        return new Child(p, t);
    }

    long pid() {
        return process.pid();
    }

    /** Waits for the child to exit; its exit code, or -1 when it had to be killed. */
    int await(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
            relay.join(1000);
            return -1;
        }
        relay.join(2000);
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
