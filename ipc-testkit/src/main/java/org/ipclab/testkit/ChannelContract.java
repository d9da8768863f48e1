package org.ipclab.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.ipclab.core.Capability;
import org.ipclab.core.Channel;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.IpcTimeoutException;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.MessageTooLargeException;
import org.ipclab.core.Names;
import org.ipclab.core.Providers;
import org.ipclab.core.ServerEnd;
import org.ipclab.core.peer.Control;
import org.ipclab.core.peer.PeerLauncher;
import org.ipclab.core.peer.PeerSession;
import org.ipclab.core.peer.Probe;
import org.ipclab.core.reliable.AckedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract every provider passes, always between two real processes (this JVM and a peer JVM
 * started by {@link PeerLauncher}). A provider module runs it with a few lines:
 *
 * <pre>{@code
 * class TcpContractTest extends ChannelContract {
 *     @Override protected ChannelSpec spec() { return ChannelSpec.of("tcp"); }
 * }
 * }</pre>
 *
 * A test that does not apply to a mechanism says so with {@link RequiresCapability} or
 * {@link SkipWhenCapability}, read from the mechanism's own description for the spec: it shows as
 * skipped with the reason, never as silently removed. Message sizes come from the description too
 * (a signal carries at most 4 bytes), so one suite fits every mechanism.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class ChannelContract {
    protected static final Duration START = Duration.ofSeconds(30);
    protected static final Duration STEP = Duration.ofSeconds(10);
    private static final int STREAM_COUNT = 100_000;

    /** The mechanism and options under test. */
    protected abstract ChannelSpec spec();

    protected ChannelProvider provider() {
        return Providers.forSpec(spec());
    }

    /** What the mechanism says it is, for the spec under test. */
    public MechanismInfo info() {
        return Providers.describe(spec());
    }

    /** {@code wanted} bytes, or the mechanism's maximum when that is smaller (notification channels). */
    protected int sizeUpTo(int wanted) {
        return Math.min(wanted, info().maxMessageSize());
    }

    protected PeerSession launch() throws IOException {
        return PeerLauncher.launch(provider(), spec(), START);
    }

    /** Sizes for the round-trip test: 0, 1, 7, 4096, 65536 and the maximum, each up to the maximum. */
    protected List<Integer> roundTripSizes() {
        int max = info().maxMessageSize();
        return Stream.of(0, 1, 7, 4096, 65536, max).filter(s -> s <= max).distinct().collect(Collectors.toList());
    }

    @Test
    protected void roundTripsAtEverySize() throws IOException {
        Random random = new Random(42);
        try (PeerSession peer = launch()) {
            Channel ch = peer.channel();
            ByteBuffer in = ByteBuffer.allocateDirect(ch.maxMessageSize());
            for (int size : roundTripSizes()) {
                byte[] sent = new byte[size];
                random.nextBytes(sent);
                ch.send(ByteBuffer.wrap(sent), STEP);
                in.clear();
                int n = ch.receive(in, STEP);
                assertEquals(size, n, "echoed length for a " + size + "-byte message");
                in.flip();
                byte[] got = new byte[n];
                in.get(got);
                assertArrayEquals(sent, got, "echoed bytes for a " + size + "-byte message");
            }
        }
    }

    @Test
    @SkipWhenCapability(value = Capability.NOTIFICATION, because = "a sink run needs SINK/STATS control messages and 64-byte probes")
    protected void hundredThousandMessagesArriveInOrderAndIntact() throws IOException {
        try (PeerSession peer = launch()) {
            Channel ch = peer.channel();
            AckedChannel.send(ch, Control.message(Control.SINK), STEP);
            Probe probe = new Probe();
            ByteBuffer msg = Probe.newBuffer(64);
            int fill = probe.fillChecksum(msg);
            for (int seq = 0; seq < STREAM_COUNT; seq++) {
                probe.stamp(msg, seq, System.nanoTime(), fill);
                ch.send(msg, STEP);
            }
            AckedChannel.send(ch, Control.message(Control.SINK_END, STREAM_COUNT), STEP);
            ByteBuffer stats = ByteBuffer.allocateDirect(Math.max(64, ch.maxMessageSize())).order(ByteOrder.LITTLE_ENDIAN);
            int n = ch.receive(stats, STEP);
            stats.flip();
            assertEquals(Control.STATS, Control.opcode(stats, n), "peer answers SINK_END with STATS");
            long received = Control.arg(stats, 0);
            long reordered = Control.arg(stats, 1);
            long corrupt = Control.arg(stats, 2);
            assertEquals(0, corrupt, "corrupt messages");
            if (info().has(Capability.RELIABLE)) assertEquals(STREAM_COUNT, received, "received messages");
            else assertTrue(received > 0, "an unreliable mechanism still delivers something");
            if (info().has(Capability.ORDERED)) assertEquals(0, reordered, "reordered messages");
        }
    }

    @Test
    protected void receiveTimesOutWhenThePeerStaysSilent() throws IOException {
        try (PeerSession peer = launch()) {
            Duration timeout = Duration.ofMillis(300);
            long start = System.nanoTime();
            assertThrows(IpcTimeoutException.class, () -> peer.channel().receive(ByteBuffer.allocate(64), timeout));
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(elapsedMs >= 290, "gave up before the timeout: " + elapsedMs + " ms");
            assertTrue(elapsedMs < 5_000, "took far longer than the 300 ms timeout: " + elapsedMs + " ms");
        }
    }

    @Test
    protected void peerKilledMidStreamEndsInAnErrorNotAHang() throws IOException {
        long pid;
        try (PeerSession peer = launch()) {
            pid = peer.pid();
            Channel ch = peer.channel();
            int size = sizeUpTo(64);
            ByteBuffer msg = ByteBuffer.allocateDirect(size);
            ByteBuffer in = ByteBuffer.allocateDirect(Math.max(64, ch.maxMessageSize()));
            for (int i = 0; i < 100; i++) {
                ch.send(msg.clear(), STEP);
                in.clear();
                assertEquals(size, ch.receive(in, STEP));
            }
            peer.kill();
            Duration timeout = Duration.ofSeconds(3);
            long start = System.nanoTime();
            try {
                int n = 0;
                for (int i = 0; i < 1000 && n >= 0; i++) { // a send may still fit in a kernel buffer
                    ch.send(msg.clear(), timeout);
                    in.clear();
                    n = ch.receive(in, timeout);
                }
                assertEquals(Channel.END_OF_STREAM, n, "after the peer died, a receive must not return data");
            } catch (IOException expected) {
                assertFalse(String.valueOf(expected.getMessage()).isBlank(), "the error says what happened");
            }
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(elapsedMs < timeout.toMillis() + 3_000, "noticing the dead peer took " + elapsedMs + " ms");
        }
        assertEquals(Set.of(), ourObjects(Set.of(pid)), "what the killed peer made is gone once its session is closed");
    }

    /**
     * An oversized message is refused before anything is written, so the channel stays usable:
     * the same channel then carries a normal round trip.
     */
    @Test
    protected void oversizedMessageIsRefusedAndTheChannelStaysUsable() throws IOException {
        try (PeerSession peer = launch()) {
            Channel ch = peer.channel();
            int max = ch.maxMessageSize();
            MessageTooLargeException e = assertThrows(MessageTooLargeException.class,
                    () -> ch.send(ByteBuffer.allocate(max + 1), STEP));
            assertTrue(e.getMessage().contains(Integer.toString(max)), "the error names the limit: " + e.getMessage());
            int size = sizeUpTo(8);
            ch.send(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, 0, size), STEP);
            ByteBuffer in = ByteBuffer.allocate(Math.max(64, max));
            assertEquals(size, ch.receive(in, STEP));
        }
    }

    @Test
    protected void closingRemovesEveryKernelObjectAndFile() throws IOException, InterruptedException {
        long self = ProcessHandle.current().pid();
        Set<String> before = ourObjects(Set.of(self));
        long peerPid;
        try (PeerSession peer = launch()) {
            peerPid = peer.pid();
            int size = sizeUpTo(16);
            peer.channel().send(ByteBuffer.wrap(new byte[size]), STEP);
            assertEquals(size, peer.channel().receive(ByteBuffer.allocate(Math.max(64, peer.channel().maxMessageSize())), STEP));
        }
        Set<String> after = ourObjects(Set.of(self, peerPid));
        after.removeAll(before);
        assertEquals(Set.of(), after, "left behind after close");
    }

    @Test
    protected void stopLetsThePeerExitCleanly() throws IOException, InterruptedException {
        PeerSession peer = launch();
        Process process = peer.process();
        peer.close();
        assertTrue(process.waitFor(10, TimeUnit.SECONDS), "peer still running after close");
        assertEquals(0, process.exitValue(), "peer exit code after STOP");
    }

    /** A non-blocking try really returns at once when nothing is there, and then finds the echo. */
    @Test
    @RequiresCapability(Capability.NON_BLOCKING_TRY)
    protected void tryReceiveReturnsAtOnceAndThenFindsTheEcho() throws IOException {
        try (PeerSession peer = launch()) {
            Channel ch = peer.channel();
            ByteBuffer in = ByteBuffer.allocateDirect(Math.max(64, ch.maxMessageSize()));
            long start = System.nanoTime();
            assertEquals(Channel.NO_MESSAGE, ch.tryReceive(in), "nothing was sent yet");
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(elapsedMs < 1_000, "a non-blocking tryReceive took " + elapsedMs + " ms");
            int size = sizeUpTo(16);
            ByteBuffer msg = ByteBuffer.allocateDirect(size);
            long deadline = System.nanoTime() + STEP.toNanos();
            while (!ch.trySend(msg.clear())) {
                assertTrue(System.nanoTime() < deadline, "trySend never found room in an empty channel");
            }
            int n;
            in.clear();
            while ((n = ch.tryReceive(in)) == Channel.NO_MESSAGE) {
                assertTrue(System.nanoTime() < deadline, "the echo never came");
                Thread.onSpinWait();
            }
            assertEquals(size, n, "echo length");
        }
    }

    // ------------------------------------------------- one server end, client after client

    /** The uid of the foreign client in {@link #aClientOfAnotherUserLeavesTheServerEndUsableForTheNext}: nobody. */
    protected static final int OTHER_UID = 65534;

    /**
     * {@code ipc serve}'s promise: {@link ServerEnd#accept} again after a channel closed, each
     * session independent of the last — nothing of client 1 reaches client 2.
     */
    @Test
    @SkipWhenCapability(value = Capability.RELATED_PROCESSES_ONLY,
            because = "it connects only a parent and the child it starts: its server end has one peer, never a next one")
    protected void oneServerEndServesThreeClientsInARowEachWithEchoAndStop() throws IOException {
        try (ServerEnd server = provider().open(spec())) {
            for (int i = 1; i <= 3; i++) {
                serveOneClient(server, PeerClients.start(provider(), server, START), "client " + i);
            }
        }
    }

    /** A client that dies without STOP ends its session with an error or end of stream, never a hang, and the next client is served. */
    @Test
    @SkipWhenCapability(value = Capability.RELATED_PROCESSES_ONLY,
            because = "it connects only a parent and the child it starts: its server end has one peer, never a next one")
    protected void aClientKilledWithoutStopLeavesTheServerEndUsableForTheNext() throws IOException, InterruptedException {
        try (ServerEnd server = provider().open(spec())) {
            Process first = PeerClients.start(provider(), server, START);
            try (Channel ch = AckedChannel.over(server.accept(START, Optional.of(first)), info())) {
                ByteBuffer in = receiveBuffer(ch);
                awaitHello(ch, in, first, "the client to be killed");
                echo(ch, in, "before the kill", "the client to be killed");
                assertTrue(PeerClients.kill(first), "killed client still running");
                try {
                    in.clear();
                    assertEquals(Channel.END_OF_STREAM, ch.receive(in, STEP), "after the client died, a receive must not return data");
                } catch (IpcTimeoutException e) {
                    fail("the server end did not notice the killed client within " + STEP + ": " + e.getMessage());
                } catch (IOException expected) {
                    assertFalse(String.valueOf(expected.getMessage()).isBlank(), "the error says what happened");
                }
            } finally {
                PeerClients.kill(first);
            }
            serveOneClient(server, PeerClients.start(provider(), server, START), "the client after the killed one");
        }
    }

    /**
     * A client of another uid (run with {@code setpriv}) is refused wherever the mechanism checks
     * who connects — file modes, SO_PEERCRED, a socket file's owner — and served like anyone where
     * it does not (TCP, UDP); either way the server end then serves the next client.
     */
    @Test
    @SkipWhenCapability(value = Capability.RELATED_PROCESSES_ONLY,
            because = "it connects only a parent and the child it starts: its server end has one peer, never a next one")
    protected void aClientOfAnotherUserLeavesTheServerEndUsableForTheNext() throws IOException {
        assumeTrue(PeerClients.canRunAs(OTHER_UID), "cannot run a process as uid " + OTHER_UID + " here (setpriv refused: not root?)");
        try (ServerEnd server = provider().open(spec())) {
            Process foreign = PeerClients.startAs(OTHER_UID, provider(), server, Duration.ofSeconds(10)).orElseThrow();
            String outcome = null;
            long deadline = System.nanoTime() + START.toNanos();
            try {
                while (outcome == null) {
                    Channel accepted;
                    try {
                        // Short slices: not every accept ends when the peer process dies, and a failed accept must leave the server end usable anyway.
                        accepted = server.accept(Duration.ofSeconds(1), Optional.of(foreign));
                    } catch (IpcTimeoutException slice) {
                        if (!foreign.isAlive()) {
                            assertNotEquals(0, foreign.exitValue(), "the foreign client exited 0 without being served");
                            outcome = "refused before it reached the server end: " + PeerClients.stderr(foreign);
                        } else if (System.nanoTime() - deadline >= 0) {
                            fail("the foreign client neither connected nor was refused within " + START + "; it said: " + PeerClients.stderr(foreign));
                        }
                        continue;
                    } catch (IOException refused) {
                        assertFalse(String.valueOf(refused.getMessage()).isBlank(), "the refusal says why");
                        outcome = "refused: " + refused.getMessage() + "; the client said: " + PeerClients.stderr(foreign);
                        continue;
                    }
                    serveSession(AckedChannel.over(accepted, info()), foreign, "the client of uid " + OTHER_UID);
                    outcome = "served (" + provider().name() + " does not check who connects)";
                }
            } finally {
                PeerClients.exitCode(foreign, STEP);
            }
            System.out.println(provider().name() + ": a client of uid " + OTHER_UID + " was " + outcome);
            checkForeignClientOutcome(outcome);
            serveOneClient(server, PeerClients.start(provider(), server, START), "the client after uid " + OTHER_UID + "'s");
        }
    }

    /** What a mechanism promises beyond "served or refused" to a client of uid {@link #OTHER_UID}, e.g. the words of its refusal. */
    protected void checkForeignClientOutcome(String outcome) {
    }

    /** The peer logs and class path copies of {@link PeerClients} are ours too: nothing stays behind a test. */
    @org.junit.jupiter.api.AfterEach
    protected void removePeerClientFiles() {
        PeerClients.removeFiles();
    }

    /** One session as {@code ipc serve} sees it: the client's HELLO, one echo, STOP; then the client exits 0. */
    private void serveOneClient(ServerEnd server, Process client, String who) throws IOException {
        try {
            Channel ch;
            try {
                ch = AckedChannel.over(server.accept(START, Optional.of(client)), info());
            } catch (IOException e) {
                throw new AssertionError(who + " was not accepted: " + e.getMessage() + "; it said: " + PeerClients.stderr(client), e);
            }
            serveSession(ch, client, who);
            assertEquals(0, PeerClients.exitCode(client, STEP), who + ": exit code after STOP; it said: " + PeerClients.stderr(client));
        } finally {
            PeerClients.kill(client);
        }
    }

    private void serveSession(Channel channel, Process client, String who) throws IOException {
        try (Channel ch = channel) {
            ByteBuffer in = receiveBuffer(ch);
            awaitHello(ch, in, client, who);
            echo(ch, in, who + " says hello", who);
            AckedChannel.send(ch, Control.message(Control.STOP), STEP);
        }
    }

    private static ByteBuffer receiveBuffer(Channel ch) {
        return ByteBuffer.allocateDirect(Math.max(64, ch.maxMessageSize())).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void awaitHello(Channel ch, ByteBuffer in, Process client, String who) throws IOException {
        in.clear();
        int n = ch.receive(in, START);
        in.flip();
        assertEquals(Control.HELLO, Control.opcode(in, n), who + ": the first message is HELLO, nothing left from an earlier client");
        assertEquals(client.pid(), Control.arg(in, 0), who + ": HELLO names this client's pid");
    }

    private static void echo(Channel ch, ByteBuffer in, String text, String who) throws IOException {
        byte[] sent = text.getBytes(StandardCharsets.UTF_8);
        ch.send(ByteBuffer.wrap(sent), STEP);
        in.clear();
        int n = ch.receive(in, STEP);
        assertEquals(sent.length, n, who + ": echoed length");
        byte[] got = new byte[n];
        in.flip().get(got);
        assertArrayEquals(sent, got, who + ": echoed bytes");
    }

    /** Everything named like ours by one of these pids, in the places ipclab creates things. */
    protected static Set<String> ourObjects(Set<Long> pids) throws IOException {
        Set<String> found = new TreeSet<>();
        for (Path root : List.of(Names.tempRoot(), Path.of("/dev/shm"), Path.of("/dev/mqueue"))) {
            if (!Files.isDirectory(root)) continue;
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, "*ipclab-*")) {
                for (Path p : entries) {
                    long pid = Names.creatorPid(p.getFileName().toString()).orElse(-1);
                    if (pids.contains(pid)) found.add(p.toString());
                }
            }
        }
        return found;
    }

}
