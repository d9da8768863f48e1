package org.ipclab.mqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.Channel;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.IpcTimeoutException;
import org.ipclab.core.Leftover;
import org.ipclab.core.MessageTooLargeException;
import org.ipclab.core.PeerGoneException;
import org.ipclab.core.ServerEnd;
import org.ipclab.core.peer.PeerLauncher;
import org.ipclab.core.peer.PeerSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** System V queues: MSGMAX/MSGMNB echoed and enforced, keys that name the creator, faults, clean-up. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SysvMqueueTest {
    private final SysvMqueueProvider provider = new SysvMqueueProvider();

    @Test
    void limitsComeFromProcAndTheQueuesOwnMsgQbytes() throws IOException {
        assertEquals(Proc.kernel("msgmax", -1), provider.describe().maxMessageSize());
        try (ServerEnd server = provider.open(ChannelSpec.of("sysv-mqueue"))) {
            Map<String, String> p = server.effectiveParameters();
            assertEquals(Proc.text(java.nio.file.Path.of("/proc/sys/kernel/msgmax")), p.get("/proc/sys/kernel/msgmax"));
            assertEquals(Proc.text(java.nio.file.Path.of("/proc/sys/kernel/msgmnb")), p.get("/proc/sys/kernel/msgmnb"));
            assertEquals(Long.toString(Proc.kernel("msgmnb", -1)), p.get("msg_qbytes"), "a new queue holds msgmnb bytes");
            assertEquals("0600", p.get("mode"));
        }
    }

    @Test
    void keysCarryOurMarkAndTheCreatorPid() {
        long pid = ProcessHandle.current().pid();
        int key = SysvQueue.key(pid, 3);
        assertEquals(pid, SysvQueue.creatorPid(key).orElse(-1));
        assertTrue(SysvQueue.creatorPid(0x12345678).isEmpty(), "someone else's key");
        assertTrue(SysvQueue.creatorPid(0).isEmpty(), "IPC_PRIVATE");
    }

    @Test
    void closeRemovesBothQueues() throws IOException {
        ServerEnd server = provider.open(ChannelSpec.of("sysv-mqueue"));
        int to = Integer.parseInt(server.peerSpec().option(SysvMqueueProvider.TO_PEER).orElseThrow());
        int from = Integer.parseInt(server.peerSpec().option(SysvMqueueProvider.FROM_PEER).orElseThrow());
        assertTrue(Queues.sysvExists(to) && Queues.sysvExists(from));
        server.close();
        server.close();
        assertFalse(Queues.sysvExists(to));
        assertFalse(Queues.sysvExists(from));
    }

    /** msgmnb = 16384 bytes: two 8 KiB messages fill a queue; the third send waits, then times out. */
    @Test
    void aFullQueueMakesSendTimeOutWithinBounds() throws IOException {
        try (ServerEnd server = provider.open(ChannelSpec.of("sysv-mqueue"));
             Channel peer = provider.connect(server.peerSpec(), Duration.ofSeconds(5))) {
            Channel ch = server.accept(Duration.ofSeconds(5), Optional.empty());
            // The session's WELCOME waits in the queue until the peer's first receive takes (and drops) it.
            assertEquals(Channel.NO_MESSAGE, peer.tryReceive(ByteBuffer.allocate(64)), "the WELCOME is no message of the channel");
            int size = ch.maxMessageSize();
            long fits = Proc.kernel("msgmnb", -1) / size;
            ByteBuffer m = ByteBuffer.allocate(size);
            for (int i = 0; i < fits; i++) ch.send(m.clear(), Duration.ofSeconds(1));
            assertFalse(ch.trySend(m.clear()));
            long start = System.nanoTime();
            IpcTimeoutException e = assertThrows(IpcTimeoutException.class, () -> ch.send(m.clear(), Duration.ofMillis(300)));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms >= 290 && ms < 5_000, "timed out after " + ms + " ms");
            assertTrue(e.getMessage().contains("queue full") && e.getMessage().contains("msgmnb"), e.getMessage());
            assertEquals(size, peer.receive(ByteBuffer.allocate(size), Duration.ofSeconds(1)));
            assertTrue(ch.trySend(m.clear()));
        }
    }

    @Test
    void receiveTimesOutThroughTheWatchdogsWakeMessage() throws IOException {
        try (ServerEnd server = provider.open(ChannelSpec.of("sysv-mqueue"));
             Channel peer = provider.connect(server.peerSpec(), Duration.ofSeconds(5))) {
            Channel ch = server.accept(Duration.ofSeconds(5), Optional.empty());
            long start = System.nanoTime();
            assertThrows(IpcTimeoutException.class, () -> ch.receive(ByteBuffer.allocate(64), Duration.ofMillis(250)));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms >= 240 && ms < 5_000, "timed out after " + ms + " ms");
            assertEquals(Channel.NO_MESSAGE, ch.tryReceive(ByteBuffer.allocate(64)), "wake messages are never data");
            peer.send(ByteBuffer.wrap(new byte[] {42}), Duration.ofSeconds(1));
            ByteBuffer in = ByteBuffer.allocate(64);
            assertEquals(1, ch.receive(in, Duration.ofSeconds(1)));
            assertEquals(42, in.get(0));
        }
    }

    @Test
    void oversizedMessageNamesMsgmax() throws IOException {
        try (ServerEnd server = provider.open(ChannelSpec.of("sysv-mqueue"));
             Channel peer = provider.connect(server.peerSpec(), Duration.ofSeconds(5))) {
            Channel ch = server.accept(Duration.ofSeconds(5), Optional.empty());
            assertEquals(ch.maxMessageSize(), peer.maxMessageSize(), "both ends see the same limit");
            int max = ch.maxMessageSize();
            MessageTooLargeException e = assertThrows(MessageTooLargeException.class, () -> ch.send(ByteBuffer.allocate(max + 1), Duration.ofSeconds(1)));
            assertTrue(e.getMessage().contains("msgmax") && e.getMessage().contains(Integer.toString(max)), e.getMessage());
        }
    }

    @Test
    void aKilledPeerEndsABlockedReceiveWithPeerGone() throws IOException {
        try (PeerSession peer = PeerLauncher.launch(provider, ChannelSpec.of("sysv-mqueue"), Duration.ofSeconds(30))) {
            peer.kill();
            long start = System.nanoTime();
            assertThrows(PeerGoneException.class, () -> peer.channel().receive(ByteBuffer.allocate(8192), Duration.ofSeconds(20)));
            assertTrue((System.nanoTime() - start) / 1_000_000 < 5_000);
        }
    }

    @Test
    void anOrphanedQueueIsFoundInProcSysvipcAndRemoved() throws Exception {
        int msqid = Integer.parseInt(Queues.orphan("sysv"));
        try {
            assertTrue(Queues.sysvExists(msqid), "the queue outlived its creator");
            List<Leftover> found = new QueueSweeper().find(false);
            Leftover mine = found.stream().filter(l -> l.describe().contains("msqid " + msqid + " ")).findFirst()
                    .orElseThrow(() -> new AssertionError("not found: " + found));
            assertTrue(mine.describe().contains("3 messages inside") && mine.describe().contains("is gone"), mine.describe());
            mine.remove();
            assertFalse(Queues.sysvExists(msqid));
        } finally {
            SysvQueue.remove(msqid);
        }
    }
}
