package org.ipclab.testkit;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.FileSweeper;
import org.ipclab.core.Names;
import org.ipclab.core.ServerEnd;
import org.ipclab.core.peer.PeerLauncher;

/**
 * Starts real peer processes ({@code ipc peer}, i.e. {@link PeerLauncher#PEER_MAIN}) against a
 * server end that is already open, so that one {@link ServerEnd} can meet client after client.
 * ({@link PeerLauncher} opens a server end of its own for each peer.)
 */
final class PeerClients {
    private static Path readableClassPath;
    private static Path logs;
    private static final Map<Long, Path> STDERR = new java.util.concurrent.ConcurrentHashMap<>();

    private PeerClients() {
    }

    /** A peer of our uid connecting to {@code server.peerSpec()}; its stderr goes to a temporary file, see {@link #stderr}. */
    static Process start(ChannelProvider provider, ServerEnd server, Duration connectTimeout) throws IOException {
        return start(List.of(), System.getProperty("java.class.path"), provider, server.peerSpec(), connectTimeout);
    }

    /**
     * The same peer run as another user ({@code setpriv --reuid=UID ...}), from a copy of our class
     * path that this user may read. Empty when that cannot be done here (no setpriv, not root).
     */
    static java.util.Optional<Process> startAs(int uid, ChannelProvider provider, ServerEnd server, Duration connectTimeout) throws IOException {
        if (!canRunAs(uid)) return java.util.Optional.empty();
        List<String> prefix = List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups");
        return java.util.Optional.of(start(prefix, readableClassPath(), provider, server.peerSpec(), connectTimeout));
    }

    /** True when {@code setpriv} can run a command as {@code uid} here. */
    static boolean canRunAs(int uid) {
        try {
            Process p = new ProcessBuilder("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "true")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Process start(List<String> prefix, String classPath, ChannelProvider provider, ChannelSpec peerSpec,
                                 Duration connectTimeout) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(org.ipclab.core.peer.PeerLauncher.javaBinary());
        List<String> flags = new ArrayList<>();
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-agentlib:jdwp") || arg.startsWith("-Xrunjdwp") || arg.startsWith("-javaagent")) continue;
            flags.add(arg);
        }
        for (String flag : provider.describe(peerSpec).peerJvmFlags()) if (!flags.contains(flag)) flags.add(flag);
        cmd.addAll(flags);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(PeerLauncher.PEER_MAIN);
        cmd.add("peer");
        cmd.add("--mechanism");
        cmd.add(peerSpec.mechanism());
        for (Map.Entry<String, String> o : peerSpec.options().entrySet()) {
            cmd.add("--opt");
            cmd.add(o.getKey() + "=" + o.getValue());
        }
        cmd.add("--connect-timeout");
        cmd.add(connectTimeout.toMillis() + "ms");
        Path err = Files.createTempFile(logDirectory(), "peer", ".stderr");
        Process p = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err.toFile())
                .start();
        STDERR.put(p.pid(), err);
        return p;
    }

    /**
     * SIGKILL, as a crash would, then what the runner that started the client does after it: removes
     * what the client could not (a unix-dgram client's socket directory). True when it ended within 10 s.
     */
    static boolean kill(Process p) {
        p.destroyForcibly();
        boolean ended;
        try {
            ended = p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        if (ended) FileSweeper.removeOwnLeftoversOf(p.pid());
        return ended;
    }

    /** What a peer wrote to stderr so far, for assertion messages. */
    static String stderr(Process p) {
        Path err = STDERR.get(p.pid());
        try {
            return err == null ? "" : Files.readString(err).strip();
        } catch (IOException e) {
            return "(stderr unreadable: " + e.getMessage() + ")";
        }
    }

    private static synchronized Path logDirectory() throws IOException {
        if (logs == null) {
            logs = Names.privateDirectory("peerlogs");
        }
        return logs;
    }

    /** Waits for the peer to exit; its exit code, or -1 (and it is killed) when it did not exit in time. */
    static int exitCode(Process p, Duration within) {
        try {
            if (p.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        p.destroyForcibly();
        return -1;
    }

    /**
     * Our class path copied into a world-readable directory ({@code ipclab-<pid>-cp-*} in the temp
     * root, removed by {@link #removeFiles}): the test's own class path may be under a 0700 home.
     */
    private static synchronized String readableClassPath() throws IOException {
        if (readableClassPath == null) {
            Path dir = Names.privateDirectory("cp");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            readableClassPath = dir;
        }
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path from = Path.of(entry);
            if (!Files.exists(from)) continue;
            Path to = readableClassPath.resolve((i++) + "-" + from.getFileName());
            if (!Files.exists(to)) copy(from, to);
            entries.add(to.toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    private static void copy(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
            Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-r--r--"));
            return;
        }
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
                } else {
                    Files.copy(p, target);
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
                }
            }
        }
    }

    /** Removes the peer logs and the class path copy (after a test: a peer still running keeps its open files). */
    static synchronized void removeFiles() {
        if (logs != null) deleteTree(logs);
        if (readableClassPath != null) deleteTree(readableClassPath);
        logs = null;
        readableClassPath = null;
        STDERR.clear();
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort at exit; `ipc clean` finds ipclab-<pid>-cp-* leftovers
        }
    }
}
