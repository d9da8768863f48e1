package org.ipclab.agrona;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.Comparator;
import java.util.stream.Stream;
import java.nio.file.attribute.PosixFilePermissions;

import org.ipclab.core.Channel;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.IpcException;
import org.ipclab.core.Names;
import org.ipclab.core.PeerGoneException;
import org.ipclab.core.ProtocolException;
import org.ipclab.core.Providers;
import org.ipclab.core.ServerEnd;
import org.ipclab.core.peer.Control;
import org.ipclab.core.peer.PeerLauncher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One server end, client after client ({@code ipc serve}): each accept is a fresh session, a
 * killed client leaves the server end usable, a stranger cannot map the 0600 file; and a file that
 * is not ours is refused.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AgronaSessionsTest {
    private static final Duration START = Duration.ofSeconds(30);
    private static final Duration STEP = Duration.ofSeconds(10);
    private static final ChannelSpec SPEC = ChannelSpec.of("agrona").with("wait", "park").with("capacity", "64k");

    private final ChannelProvider provider = Providers.forSpec(SPEC);

    @Test
    void threeClientsInARowEachSeeOnlyTheirOwnSession() throws IOException, InterruptedException {
        try (ServerEnd server = provider.open(SPEC)) {
            Path file = Path.of(server.peerSpec().option("rings").orElseThrow());
            assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE), Files.getPosixFilePermissions(file),
                    "the ring file is owner-only from the start");
            for (int i = 1; i <= 3; i++) serve(server, start(List.of(), server), "client " + i);
        }
    }

    @Test
    void aKilledClientIsNoticedAndTheNextOneIsServed() throws IOException, InterruptedException {
        try (ServerEnd server = provider.open(SPEC)) {
            Process first = start(List.of(), server);
            try (Channel ch = server.accept(START, Optional.of(first))) {
                ByteBuffer in = buffer(ch);
                hello(ch, in, first);
                first.destroyForcibly();
                assertTrue(first.waitFor(10, TimeUnit.SECONDS));
                IOException e = assertThrows(IOException.class, () -> ch.receive(in.clear(), STEP));
                assertTrue(e instanceof PeerGoneException, "a dead peer is a PeerGoneException: " + e);
            }
            serve(server, start(List.of(), server), "the client after the killed one");
        }
    }

    @Test
    void aClientOfAnotherUserCannotMapTheRingsAndTheNextOneIsServed() throws IOException, InterruptedException {
        assumeTrue(canRunAsNobody(), "cannot run a process as uid 65534 here (setpriv refused: not root?)");
        Path copy = Names.privateDirectory("agrona-cp");
        Path err = copy.resolve("stderr");
        try (ServerEnd server = provider.open(SPEC)) {
            String classPath = readableCopy(copy);
            Process foreign = start(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"), classPath, err, server);
            IOException e = assertThrows(IOException.class, () -> server.accept(START, Optional.of(foreign)));
            assertTrue(e instanceof PeerGoneException, "the refused client exits and the accept says so: " + e);
            assertTrue(foreign.waitFor(10, TimeUnit.SECONDS));
            String said = Files.readString(err);
            assertTrue(said.contains("may not open"), "the stranger is refused by the file's mode, not by anything else: " + said);
            serve(server, start(List.of(), server), "the client after the stranger");
        } finally {
            try (Stream<Path> walk = Files.walk(copy)) {
                for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) Files.delete(p);
            }
        }
    }

    @Test
    void aFileThatIsNotARingSegmentIsRefused() throws IOException {
        Path bogus = Files.createTempFile(Path.of("/dev/shm"), "ipclab-" + ProcessHandle.current().pid() + "-agrona-test", "");
        try {
            Files.write(bogus, new byte[8192]);
            ProtocolException e = assertThrows(ProtocolException.class, () -> AgronaSegment.attach(bogus));
            assertTrue(e.getMessage().contains("not an ipclab agrona segment"), e.getMessage());
            IpcException gone = assertThrows(IpcException.class, () -> AgronaSegment.attach(bogus.resolveSibling("ipclab-1-agrona-none")));
            assertTrue(gone.getMessage().contains("no segment"), gone.getMessage());
        } finally {
            Files.deleteIfExists(bogus);
        }
    }

    private void serve(ServerEnd server, Process client, String who) throws IOException, InterruptedException {
        try {
            try (Channel ch = server.accept(START, Optional.of(client))) {
                ByteBuffer in = buffer(ch);
                hello(ch, in, client);
                byte[] sent = (who + " says hello").getBytes(StandardCharsets.UTF_8);
                ch.send(ByteBuffer.wrap(sent), STEP);
                int n = ch.receive(in.clear(), STEP);
                byte[] got = new byte[n];
                in.flip().get(got);
                assertArrayEquals(sent, got, who + ": echo");
                ch.send(Control.message(Control.STOP), STEP);
            }
            assertTrue(client.waitFor(10, TimeUnit.SECONDS), who + " still running after STOP");
            assertEquals(0, client.exitValue(), who + ": exit code after STOP");
        } finally {
            client.destroyForcibly();
        }
    }

    private static void hello(Channel ch, ByteBuffer in, Process client) throws IOException {
        int n = ch.receive(in.clear(), START);
        in.flip();
        assertEquals(Control.HELLO, Control.opcode(in, n), "the first message is this client's HELLO, nothing of an earlier one");
        assertEquals(client.pid(), Control.arg(in, 0), "HELLO names this client's pid");
    }

    private static ByteBuffer buffer(Channel ch) {
        return ByteBuffer.allocateDirect(Math.max(64, ch.maxMessageSize())).order(ByteOrder.LITTLE_ENDIAN);
    }

    private Process start(List<String> prefix, ServerEnd server) throws IOException {
        return start(prefix, System.getProperty("java.class.path"), null, server);
    }

    /** {@code ipc peer} against an open server end, optionally run as another user; stderr to {@code err} or ours. */
    private Process start(List<String> prefix, String classPath, Path err, ServerEnd server) throws IOException {
        ChannelSpec peer = server.peerSpec();
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!arg.startsWith("-agentlib") && !arg.startsWith("-javaagent")) cmd.add(arg);
        }
        cmd.addAll(provider.describe(peer).peerJvmFlags());
        cmd.addAll(List.of("-cp", classPath, PeerLauncher.PEER_MAIN, "peer", "--mechanism", peer.mechanism()));
        for (Map.Entry<String, String> o : peer.options().entrySet()) cmd.addAll(List.of("--opt", o.getKey() + "=" + o.getValue()));
        cmd.addAll(List.of("--connect-timeout", "20s"));
        return new ProcessBuilder(cmd).redirectInput(new File("/dev/null")).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err == null ? ProcessBuilder.Redirect.INHERIT : ProcessBuilder.Redirect.to(err.toFile())).start();
    }

    /** Our class path copied where another user may read it (ours lives under /root): the directory is opened up, not the files we test. */
    private static String readableCopy(Path dir) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createFile(dir.resolve("stderr"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-rw-rw-")));
        Files.setPosixFilePermissions(dir.resolve("stderr"), PosixFilePermissions.fromString("rw-rw-rw-"));
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path from = Path.of(entry);
            if (!Files.exists(from)) continue;
            Path to = dir.resolve((i++) + "-" + from.getFileName());
            try (Stream<Path> walk = Files.walk(from)) {
                for (Path p : (Iterable<Path>) walk::iterator) {
                    Path target = to.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) Files.createDirectories(target);
                    else Files.copy(p, target);
                }
            }
            try (Stream<Path> walk = Files.walk(to)) {
                for (Path p : (Iterable<Path>) walk::iterator) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
            entries.add(to.toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    private static boolean canRunAsNobody() {
        try {
            Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "true").start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
