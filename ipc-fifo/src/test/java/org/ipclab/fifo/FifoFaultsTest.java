package org.ipclab.fifo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.ipclab.core.PipeCapacity;
import org.ipclab.core.BadInputException;
import org.ipclab.core.Channel;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.IpcException;
import org.ipclab.core.IpcTimeoutException;
import org.ipclab.core.Leftover;
import org.ipclab.core.PeerGoneException;
import org.ipclab.core.ServerEnd;
import org.ipclab.core.peer.PeerLauncher;
import org.ipclab.core.peer.PeerSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The bad inputs and faults for {@code fifo}: one-line errors, nothing left behind, never a forever-blocking open. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FifoFaultsTest {
    private static final Duration START = Duration.ofSeconds(30);
    private static final Duration STEP = Duration.ofSeconds(10);
    private final FifoProvider provider = new FifoProvider();

    @TempDir
    Path dir;

    private ChannelSpec inDir(Map<String, String> more) {
        ChannelSpec spec = ChannelSpec.of("fifo").with("path", dir.toString());
        for (Map.Entry<String, String> e : more.entrySet()) spec = spec.with(e.getKey(), e.getValue());
        return spec;
    }

    private Set<String> contents() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    @AfterEach
    void noStrayPeer() {
        long stray = 0;
        for (ProcessHandle child : ProcessHandle.current().children().toArray(ProcessHandle[]::new)) {
            try {
                child.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception stillRunning) {
                stray++;
                child.destroyForcibly();
            }
        }
        assertEquals(0, stray, "child processes still running after the test (killed now)");
    }

    @Test
    void aRegularFileWhereAFifoShouldBeIsLeftAloneAndRefused() throws IOException {
        Path file = dir.resolve(FifoProvider.TO_CLIENT);
        Files.writeString(file, "precious");
        BadInputException e = assertThrows(BadInputException.class, () -> provider.open(inDir(Map.of())));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("regular file"), e.getMessage());
        assertEquals(-1, e.getMessage().indexOf('\n'), "one line");
        assertEquals("precious", Files.readString(file));
        assertEquals(Set.of(FifoProvider.TO_CLIENT), contents(), "the FIFO made before the refusal is gone again");
    }

    @Test
    void aForeignFifoIsRefusedAndLeftAlone() throws IOException {
        Path foreign = dir.resolve(FifoProvider.TO_SERVER);
        FifoFiles.create(foreign);
        BadInputException e = assertThrows(BadInputException.class, () -> provider.open(inDir(Map.of())));
        assertTrue(e.getMessage().contains("already exists") && e.getMessage().contains("ipc clean"), e.getMessage());
        assertTrue(FifoFiles.isFifo(foreign), "the foreign FIFO is still there");
        assertEquals(Set.of(FifoProvider.TO_SERVER), contents());
    }

    @Test
    void aDirectoryWeCannotWriteIsRefusedWithTheErrno() throws IOException {
        Path target;
        if (FifoFiles.posix().getuid() == 0) {
            // root writes anywhere a mode allows nothing; sysfs refuses mkfifo even to root
            target = Path.of("/sys");
            assumeTrue(Files.isDirectory(target), "no /sys");
        } else {
            target = Files.createDirectory(dir.resolve("read-only"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("r-x------")));
        }
        BadInputException e = assertThrows(BadInputException.class,
                () -> provider.open(ChannelSpec.of("fifo").with("path", target.toString())));
        assertTrue(e.getMessage().contains("cannot create a FIFO in " + target)
                && (e.getMessage().contains("EACCES") || e.getMessage().contains("EPERM") || e.getMessage().contains("EROFS")), e.getMessage());
    }

    @Test
    void aMissingDirectoryOrAFileAsDirectoryIsRefused() throws IOException {
        BadInputException missing = assertThrows(BadInputException.class,
                () -> provider.open(ChannelSpec.of("fifo").with("path", dir.resolve("nope").toString())));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        Path file = Files.writeString(dir.resolve("file"), "x");
        BadInputException notDir = assertThrows(BadInputException.class,
                () -> provider.open(ChannelSpec.of("fifo").with("path", file.toString())));
        assertTrue(notDir.getMessage().contains("not a directory"), notDir.getMessage());
    }

    @Test
    void pipeSizeBelowAPageIsRefusedBeforeAnyFifoExists() throws IOException {
        BadInputException e = assertThrows(BadInputException.class, () -> provider.open(inDir(Map.of("pipe-size", "100"))));
        assertTrue(e.getMessage().contains("below one page"), e.getMessage());
        assertEquals(Set.of(), contents());
    }

    @Test
    void pipeSizeOverTheMaximumNamesTheLimitAndLeavesNothing() throws IOException {
        assumeTrue(!hasCapSysResource(), "with CAP_SYS_RESOURCE the kernel grants sizes over pipe-max-size");
        long max = PipeCapacity.maxSize();
        BadInputException e = assertThrows(BadInputException.class,
                () -> PeerLauncher.launch(provider, inDir(Map.of("pipe-size", Long.toString(max + 1))), START));
        assertTrue(e.getMessage().contains("pipe-max-size = " + max), e.getMessage());
        assertEquals(Set.of(), contents());
    }

    @Test
    void theGrantedPipeSizeIsReported() throws IOException {
        try (PeerSession peer = PeerLauncher.launch(provider, inDir(Map.of("pipe-size", "100000")), START)) {
            assertTrue(peer.effectiveParameters().get("pipe-size").startsWith("131072 (asked for 100000"),
                    peer.effectiveParameters().toString());
        }
    }

    @Test
    void anAbsentPartnerIsATimeoutNotAHang() throws IOException {
        ServerEnd end = provider.open(inDir(Map.of()));
        try {
            long start = System.nanoTime();
            IpcTimeoutException e = assertThrows(IpcTimeoutException.class, () -> end.accept(Duration.ofMillis(300), Optional.empty()));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms >= 290 && ms < 5_000, "timed out after " + ms + " ms");
            assertTrue(e.getMessage().contains("nobody opened"), e.getMessage());
        } finally {
            end.close();
        }
        assertEquals(Set.of(), contents(), "close removes both FIFOs");
    }

    @Test
    void connectingWhereNobodyServesIsATimeout() throws IOException {
        long start = System.nanoTime();
        IpcTimeoutException none = assertThrows(IpcTimeoutException.class, () -> provider.connect(inDir(Map.of()), Duration.ofMillis(300)));
        assertTrue(none.getMessage().contains("ipc serve"), none.getMessage());
        // Stale FIFOs (a crashed server's): the blocking open would wait forever; ours gives up.
        FifoFiles.create(dir.resolve(FifoProvider.TO_SERVER));
        FifoFiles.create(dir.resolve(FifoProvider.TO_CLIENT));
        assertThrows(IpcTimeoutException.class, () -> provider.connect(inDir(Map.of()), Duration.ofMillis(300)));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms < 10_000, "took " + ms + " ms");
        assertEquals(Set.of(FifoProvider.TO_CLIENT, FifoProvider.TO_SERVER), contents(), "not ours to remove");
    }

    @Test
    void closingFromAnotherThreadEndsAWaitingAccept() throws Exception {
        ServerEnd end = provider.open(inDir(Map.of()));
        CompletableFuture<Channel> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                return end.accept(Duration.ofSeconds(30), Optional.empty());
            } catch (IOException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        Thread.sleep(200);
        end.close();
        Throwable cause = assertThrows(java.util.concurrent.ExecutionException.class, () -> accepted.get(5, TimeUnit.SECONDS)).getCause();
        assertTrue(cause instanceof IpcException && !(cause instanceof IpcTimeoutException), String.valueOf(cause));
        assertEquals(Set.of(), contents());
    }

    @Test
    void processesMeetByPathAndTheNamesGoOnceBothAreIn() throws IOException {
        try (PeerSession peer = PeerLauncher.launch(provider, inDir(Map.of()), START)) {
            assertEquals(Set.of(), contents(), "FIFO names are unlinked as soon as both sides hold both ends");
            Channel ch = peer.channel();
            ch.send(ByteBuffer.wrap("over a named pipe".getBytes(StandardCharsets.UTF_8)), STEP);
            ByteBuffer in = ByteBuffer.allocate(64);
            assertEquals(17, ch.receive(in, STEP));
        }
    }

    /** As {@code ipc serve} does: one server end, clients one after another; a second concurrent client is refused. */
    @Test
    void clientsComeOneAtATimeAndASecondConcurrentClientIsRefused() throws Exception {
        try (ServerEnd end = provider.open(inDir(Map.of()))) {
            for (int round = 1; round <= 2; round++) {
                CompletableFuture<Channel> accepted = acceptAsync(end);
                Process first = startClient();
                Channel ch = accepted.get(30, TimeUnit.SECONDS);
                ByteBuffer in = ByteBuffer.allocate(64).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                int n = ch.receive(in, STEP);
                assertEquals(org.ipclab.core.peer.Control.HELLO, org.ipclab.core.peer.Control.opcode(in.flip(), n), "HELLO from client " + round);
                Process second = startClient();
                String err = new String(second.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(second.waitFor(30, TimeUnit.SECONDS));
                assertEquals(1, second.exitValue(), err);
                assertTrue(err.contains("another client is connected"), err);
                ch.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), STEP);
                assertEquals(3, ch.receive(in.clear(), STEP), "the first client's stream is intact");
                assertEquals(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}), in.flip());
                ch.send(org.ipclab.core.peer.Control.message(org.ipclab.core.peer.Control.STOP), STEP);
                assertTrue(first.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, first.exitValue());
                ch.close();
                assertEquals(Set.of(FifoProvider.TO_CLIENT, FifoProvider.TO_SERVER), contents(), "names stay for the next client");
            }
        }
        assertEquals(Set.of(), contents());
    }

    /**
     * As {@code ipc serve} meets {@code ipc connect}: the session ends and the server closes at
     * once, while the client still holds its ends for a moment (here: 500 ms on purpose). The next accept must wait for a new client,
     * not hand out the old one hanging up (checked by the pid in each HELLO).
     */
    @Test
    void theNextAcceptIsANewClientNotTheLastOneHangingUp() throws Exception {
        try (ServerEnd end = provider.open(inDir(Map.of()))) {
            long lastPid = -1;
            for (int round = 1; round <= 3; round++) {
                CompletableFuture<Channel> accepted = acceptAsync(end);
                Process client = start(LingeringClient.class.getName(), dir.toString(), "500");
                try (Channel ch = accepted.get(30, TimeUnit.SECONDS)) {
                    ByteBuffer in = ByteBuffer.allocate(64).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    int n = ch.receive(in, STEP);
                    in.flip();
                    assertEquals(org.ipclab.core.peer.Control.HELLO, org.ipclab.core.peer.Control.opcode(in, n));
                    long pid = org.ipclab.core.peer.Control.arg(in, 0);
                    assertEquals(client.pid(), pid, "round " + round + ": HELLO from the client just started (previous " + lastPid + ")");
                    lastPid = pid;
                    ch.send(org.ipclab.core.peer.Control.message(org.ipclab.core.peer.Control.STOP), STEP);
                } // closed, and the next accept starts, while the client may still be exiting
            }
        }
        for (Process p : clients) assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    }

    private static CompletableFuture<Channel> acceptAsync(ServerEnd end) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return end.accept(Duration.ofSeconds(30), Optional.empty());
            } catch (IOException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
    }

    private final List<Process> clients = new java.util.ArrayList<>();

    @AfterEach
    void killClients() {
        clients.forEach(Process::destroyForcibly);
    }

    private Process startClient() throws IOException {
        return start(PeerLauncher.PEER_MAIN, "peer", "--mechanism", "fifo", "--opt", "path=" + dir, "--connect-timeout", "20s");
    }

    private Process start(String mainClass, String... args) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        clients.add(p);
        return p;
    }

    @Test
    void peerExitingMidStreamGivesEndOfStreamAndBrokenPipe() throws IOException {
        try (PeerSession peer = PeerLauncher.launch(provider, ChannelSpec.of("fifo"), START)) {
            Channel ch = peer.channel();
            ByteBuffer in = ByteBuffer.allocateDirect(ch.maxMessageSize());
            ch.send(ByteBuffer.allocate(64), STEP);
            assertEquals(64, ch.receive(in, STEP));
            peer.kill();
            assertEquals(Channel.END_OF_STREAM, ch.receive(in.clear(), STEP));
            PeerGoneException e = assertThrows(PeerGoneException.class, () -> ch.send(ByteBuffer.allocate(64), STEP));
            assertTrue(e.getMessage().contains("Broken pipe"), e.getMessage());
        }
    }

    @Test
    void cleanFindsTheFifosOfAKilledServerInAUserDirectory() throws Exception {
        Process server = startServer();
        assertEquals(Set.of(FifoProvider.TO_CLIENT, FifoProvider.TO_SERVER), contents());
        server.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no shutdown hook runs
        assertEquals(Set.of(FifoProvider.TO_CLIENT, FifoProvider.TO_SERVER), contents(), "SIGKILL leaves the FIFOs");
        List<Leftover> found = new FifoSweeper().find(false).stream()
                .filter(l -> l.describe().contains(dir.toString())).collect(Collectors.toList());
        assertEquals(1, found.size(), "leftovers: " + found.stream().map(Leftover::describe).collect(Collectors.toList()));
        assertTrue(found.get(0).describe().contains("pid " + server.pid() + " is gone"), found.get(0).describe());
        found.get(0).remove();
        assertEquals(Set.of(), contents());
        assertFalse(new FifoSweeper().find(true).stream().anyMatch(l -> l.describe().contains(dir.toString())), "registry entry removed");
    }

    @Test
    void sigtermRemovesTheFifos() throws Exception {
        Process server = startServer();
        server.destroy(); // SIGTERM: ExitCleanup's shutdown hook closes the server end
        assertTrue(server.waitFor(10, TimeUnit.SECONDS));
        assertEquals(Set.of(), contents());
        assertFalse(new FifoSweeper().find(true).stream().anyMatch(l -> l.describe().contains(dir.toString())), "registry entry removed");
    }

    private Process startServer() throws IOException {
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp", System.getProperty("java.class.path"),
                ServeUntilKilled.class.getName(), dir.toString());
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine();
        if (!"ready".equals(line)) {
            p.destroyForcibly();
            throw new IOException("helper server said " + line);
        }
        return p;
    }

    static boolean hasCapSysResource() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("CapEff:")) return (Long.parseLong(line.substring(7).trim(), 16) & (1L << 24)) != 0;
        }
        return false;
    }
}
