package org.ipclab.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.Channel;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.PeerGoneException;
import org.ipclab.core.Providers;
import org.ipclab.core.ServerEnd;
import org.ipclab.core.peer.Control;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One server end, client after client ({@code ipc serve}), for a mechanism whose server end shares
 * one owner-only path (a file or a directory) with its clients. Stricter than the sessions tests
 * of {@link ChannelContract}, which every mechanism passes: the first message of each session is
 * this client's HELLO, a killed client is a {@link PeerGoneException}, and a client of another user
 * is refused by the path's mode. A mechanism module runs it with a few lines:
 *
 * <pre>{@code
 * class RingSessionsTest extends SessionsContract {
 *     @Override protected ChannelSpec spec() { return ChannelSpec.of("ring").with("wait", "park"); }
 *     @Override protected String sharedOption() { return "file"; }
 * }
 * }</pre>
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class SessionsContract {
    protected static final Duration START = Duration.ofSeconds(30);
    protected static final Duration STEP = Duration.ofSeconds(10);
    /** How long a client tries to connect. */
    private static final Duration CONNECT = Duration.ofSeconds(20);
    /** The uid of the stranger: nobody. */
    private static final int OTHER_UID = 65534;

    /** The mechanism and options under test. */
    protected abstract ChannelSpec spec();

    /** The option of the server end's peer spec that names the path it shares with its clients. */
    protected abstract String sharedOption();

    /**
     * The path whose mode keeps other users out: the shared path itself, unless the mechanism's
     * library makes that one (with a umask mode) inside an owner-only directory of ours.
     */
    protected Path ownerOnlyPath(Path shared) {
        return shared;
    }

    protected ChannelProvider provider() {
        return Providers.forSpec(spec());
    }

    /** The peer logs and class path copies of {@link PeerClients} are ours too: nothing stays behind a test. */
    @AfterEach
    protected void removePeerClientFiles() {
        PeerClients.removeFiles();
    }

    @Test
    void theSharedPathIsOwnerOnlyFromTheStart() throws IOException {
        try (ServerEnd server = provider().open(spec())) {
            Path guarded = guardedPath(server);
            String mode = Files.isDirectory(guarded) ? "rwx------" : "rw-------";
            assertEquals(PosixFilePermissions.fromString(mode), Files.getPosixFilePermissions(guarded),
                    guarded + " (which guards --opt " + sharedOption() + ") is owner-only from the start");
        }
    }

    @Test
    void threeClientsInARowEachSeeOnlyTheirOwnSession() throws IOException, InterruptedException {
        try (ServerEnd server = provider().open(spec())) {
            for (int i = 1; i <= 3; i++) serve(server, PeerClients.start(provider(), server, CONNECT), "client " + i);
        }
    }

    @Test
    void aKilledClientIsNoticedAndTheNextOneIsServed() throws IOException, InterruptedException {
        try (ServerEnd server = provider().open(spec())) {
            Process first = PeerClients.start(provider(), server, CONNECT);
            try (Channel ch = server.accept(START, Optional.of(first))) {
                ByteBuffer in = buffer(ch);
                hello(ch, in, first);
                assertTrue(PeerClients.kill(first));
                IOException e = assertThrows(IOException.class, () -> ch.receive(in.clear(), STEP));
                assertTrue(e instanceof PeerGoneException, "a dead peer is a PeerGoneException: " + e);
            }
            serve(server, PeerClients.start(provider(), server, CONNECT), "the client after the killed one");
        }
    }

    @Test
    void aClientOfAnotherUserIsRefusedByTheModeAndTheNextOneIsServed() throws IOException, InterruptedException {
        assumeTrue(PeerClients.canRunAs(OTHER_UID), "cannot run a process as uid " + OTHER_UID + " here (setpriv refused: not root?)");
        try (ServerEnd server = provider().open(spec())) {
            String what = Files.isDirectory(guardedPath(server)) ? "directory's" : "file's";
            Process foreign = PeerClients.startAs(OTHER_UID, provider(), server, CONNECT).orElseThrow();
            IOException e = assertThrows(IOException.class, () -> server.accept(START, Optional.of(foreign)));
            assertTrue(e instanceof PeerGoneException, "the refused client exits and the accept says so: " + e);
            assertTrue(foreign.waitFor(10, TimeUnit.SECONDS));
            String said = PeerClients.stderr(foreign);
            assertTrue(said.contains("may not open"), "the stranger is refused by the " + what + " mode, not by anything else: " + said);
            serve(server, PeerClients.start(provider(), server, CONNECT), "the client after the stranger");
        }
    }

    private Path guardedPath(ServerEnd server) {
        return ownerOnlyPath(Path.of(server.peerSpec().option(sharedOption()).orElseThrow()));
    }

    /** One session as {@code ipc serve} sees it: the client's HELLO, one echo, STOP; then the client exits 0. */
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
            assertEquals(0, client.exitValue(), who + ": exit code after STOP; it said: " + PeerClients.stderr(client));
        } finally {
            PeerClients.kill(client);
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
}
