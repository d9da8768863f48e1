package org.ipclab.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs {@code ipc} as a real process with a chosen environment (the tests of the distribution work). */
final class Ipc {
    private Ipc() {
    }

    /**
     * {@code java}, the flags {@code java -jar ipc.jar} gets from the jar's manifest (Chronicle Queue needs the exports;
     * an open {@code sun.nio.ch} makes jnr the default route on JDK 17), on JDK 24+ what silences the native-access
     * warnings that would come before any line a test reads, and a quick start: an {@code ipc} in a test lives a second
     * or two, and nothing it does depends on the JIT compiler or the collector. Then the class path and the main class.
     */
    static List<String> java(String mainClass) {
        return java(System.getProperty("java.class.path"), mainClass);
    }

    /** {@link #java(String)} with another class path (a copy that a second user may read). */
    static List<String> java(String classPath, String mainClass) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Dchronicle.analytics.disable=true",
                "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
                "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"));
        if (Runtime.version().feature() >= 24) cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));
        cmd.addAll(List.of("-cp", classPath, mainClass));
        return cmd;
    }

    /** The command line of {@code ipc ARGS}, as {@link #java} starts it. */
    static List<String> command(String... args) {
        List<String> cmd = java(Main.class.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    static CliTest.Run run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        return run(env, List.of(), args);
    }

    /** {@code shellPrefix}: run through {@code bash -c '<prefix>; exec java ...'} (e.g. to lower a ulimit). */
    static CliTest.Run run(Map<String, String> env, List<String> shellPrefix, String... args) throws IOException, InterruptedException {
        List<String> cmd = command(args);
        if (!shellPrefix.isEmpty()) {
            StringBuilder line = new StringBuilder(String.join("; ", shellPrefix)).append("; exec");
            for (String c : cmd) line.append(" '").append(c.replace("'", "'\\''")).append('\'');
            cmd = List.of("bash", "-c", line.toString());
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.startsWith("IPCLAB_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        // stderr on its own thread: a full pipe would stall the child while stdout is read
        var err = new java.util.concurrent.CompletableFuture<byte[]>();
        Thread t = new Thread(() -> {
            try {
                err.complete(p.getErrorStream().readAllBytes());
            } catch (IOException e) {
                err.completeExceptionally(e);
            }
        });
        t.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "ipc " + String.join(" ", args) + " did not finish");
        t.join();
        return new CliTest.Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err.join(), StandardCharsets.UTF_8));
    }
}
