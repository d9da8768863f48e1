package org.ipclab.mqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import jnr.ffi.Pointer;

import org.ipclab.core.BadInputException;
import org.ipclab.core.Channel;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.IpcTimeoutException;
import org.ipclab.core.Leftover;
import org.ipclab.core.MessageTooLargeException;
import org.ipclab.core.Names;
import org.ipclab.core.PeerGoneException;
import org.ipclab.core.ServerEnd;
import org.ipclab.core.peer.PeerLauncher;
import org.ipclab.core.peer.PeerSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** POSIX queues: limits echoed, bad input refused in one line with nothing left behind, faults, clean-up. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MqueueTest {
    private final MqueueProvider provider = new MqueueProvider();

    @Test
    void maxMessageSizeIsTheKernelsMsgsizeMaxReadFromProc() {
        assertEquals(Proc.mqueue("msgsize_max", -1), provider.describe().maxMessageSize());
        assertTrue(provider.describe().maxMessageSize() > 1, "read more than the first byte of /proc/sys/fs/mqueue/msgsize_max");
    }

    @Test
    void effectiveParametersEchoProcAndTheQueuesOwnAttributes() throws IOException {
        try (ServerEnd server = provider.open(ChannelSpec.of("mqueue", Map.of("maxmsg", "4", "msgsize", "1k")))) {
            Map<String, String> p = server.effectiveParameters();
            assertEquals(Proc.text(Proc.MQUEUE.resolve("msg_max")), p.get("/proc/sys/fs/mqueue/msg_max"));
            assertEquals(Proc.text(Proc.MQUEUE.resolve("msgsize_max")), p.get("/proc/sys/fs/mqueue/msgsize_max"));
            assertEquals("4", p.get("mq_maxmsg"));
            assertEquals("1024", p.get("mq_msgsize"));
            assertTrue(p.containsKey("RLIMIT_MSGQUEUE"), p.toString());
        }
    }

    @Test
    void closeUnlinksBothQueuesAndForgetsTheirNames() throws IOException {
        String base = "/" + Names.unique("mqtest");
        ServerEnd server = provider.open(ChannelSpec.of("mqueue", Map.of("name", base)));
        assertTrue(Queues.posixExists(base + "-to-peer"));
        assertTrue(Registry.names().contains(base + "-from-peer"), "recorded for ipc clean");
        server.close();
        server.close(); // idempotent
        assertFalse(Queues.posixExists(base + "-to-peer"));
        assertFalse(Queues.posixExists(base + "-from-peer"));
        assertFalse(Registry.names().contains(base + "-to-peer"));
    }

    @Test
    void invalidQueueNamesAreRefusedWithTheRule() {
        BadInputException e = assertThrows(BadInputException.class, () -> provider.open(ChannelSpec.of("mqueue", Map.of("name", "noslash"))));
        assertTrue(e.getMessage().contains("must start with '/'"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> provider.open(ChannelSpec.of("mqueue", Map.of("name", "/a/b"))));
        assertTrue(e.getMessage().contains("no '/'"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> provider.open(ChannelSpec.of("mqueue", Map.of("name", "/" + "x".repeat(250)))));
        assertTrue(e.getMessage().contains("NAME_MAX"), e.getMessage());
    }

    @Test
    void anExistingQueueThatIsNotOursIsRefusedAndLeftAlone() throws IOException {
        String base = "/ipclab-foreign-" + System.nanoTime();
        Pointer attr = Native.allocate(PosixQueue.ATTR_SIZE);
        attr.putLong(PosixQueue.ATTR_MAXMSG, 1);
        attr.putLong(PosixQueue.ATTR_MSGSIZE, 16);
        int mqd = Native.libc().mq_open(base + "-to-peer", Native.O_RDWR | Native.O_CREAT | Native.O_EXCL, 0600, attr);
        assertTrue(mqd >= 0, "made the foreign queue");
        try {
            BadInputException e = assertThrows(BadInputException.class, () -> provider.open(ChannelSpec.of("mqueue", Map.of("name", base))));
            assertTrue(e.getMessage().contains("already exists and is not ours"), e.getMessage());
            assertTrue(Queues.posixExists(base + "-to-peer"), "someone else's queue is never removed");
            assertFalse(Queues.posixExists(base + "-from-peer"), "nothing of ours left behind");
        } finally {
            Native.libc().mq_close(mqd);
            Native.libc().mq_unlink(base + "-to-peer");
            Registry.forget(base + "-to-peer");
        }
    }

    @Test
    void sizesOverTheKernelLimitsAreRefusedNamingTheLimit() {
        long sizeMax = Proc.mqueue("msgsize_max", -1);
        BadInputException e = assertThrows(BadInputException.class,
                () -> provider.open(ChannelSpec.of("mqueue", Map.of("msgsize", Long.toString(sizeMax + 1)))));
        assertTrue(e.getMessage().contains("EINVAL") && e.getMessage().contains(Long.toString(sizeMax)), e.getMessage());
        BadInputException p = assertThrows(BadInputException.class, () -> provider.open(ChannelSpec.of("mqueue", Map.of("priority", "32767"))));
        assertTrue(p.getMessage().contains("1..32766"), p.getMessage());
    }

    /** RLIMIT_MSGQUEUE is checked against the creating process's own limit: lower ours, see EMFILE explained. */
    @Test
    void queuesBeyondRlimitMsgqueueFailWithEmfileExplained() throws IOException {
        Pointer old = Native.allocate(16);
        assertEquals(0, Native.libc().getrlimit(Native.RLIMIT_MSGQUEUE, old));
        Pointer low = Native.allocate(16);
        low.putLong(0, 1000);
        low.putLong(8, old.getLong(8));
        assertEquals(0, Native.libc().setrlimit(Native.RLIMIT_MSGQUEUE, low));
        String base = "/" + Names.unique("mqtest");
        try {
            BadInputException e = assertThrows(BadInputException.class, () -> provider.open(ChannelSpec.of("mqueue", Map.of("name", base))));
            assertTrue(e.getMessage().contains("EMFILE") && e.getMessage().contains("RLIMIT_MSGQUEUE = 1000 bytes"), e.getMessage());
        } finally {
            assertEquals(0, Native.libc().setrlimit(Native.RLIMIT_MSGQUEUE, old));
        }
        assertFalse(Queues.posixExists(base + "-to-peer"));
        assertFalse(Registry.names().contains(base + "-to-peer"), "no stale record left");
    }

    @Test
    void aFullQueueMakesSendTimeOutWithinBounds() throws IOException {
        try (ServerEnd server = provider.open(ChannelSpec.of("mqueue", Map.of("maxmsg", "2")));
             Channel peer = provider.connect(server.peerSpec(), Duration.ofSeconds(5))) {
            Channel ch = server.accept(Duration.ofSeconds(5), Optional.empty());
            ByteBuffer m = ByteBuffer.wrap(new byte[8]);
            ch.send(m, Duration.ofSeconds(1));
            ch.send(m, Duration.ofSeconds(1));
            assertFalse(ch.trySend(m), "trySend on a full queue says not now");
            long start = System.nanoTime();
            IpcTimeoutException e = assertThrows(IpcTimeoutException.class, () -> ch.send(m, Duration.ofMillis(300)));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms >= 290 && ms < 5_000, "timed out after " + ms + " ms");
            assertTrue(e.getMessage().contains("queue full"), e.getMessage());
            assertEquals(8, peer.receive(ByteBuffer.allocate(8192), Duration.ofSeconds(1)), "the queue still works");
            assertTrue(ch.trySend(m), "room again after one receive");
        }
    }

    @Test
    void oversizedMessageNamesMsgsize() throws IOException {
        try (ServerEnd server = provider.open(ChannelSpec.of("mqueue", Map.of("msgsize", "100")));
             Channel peer = provider.connect(server.peerSpec(), Duration.ofSeconds(5))) {
            Channel ch = server.accept(Duration.ofSeconds(5), Optional.empty());
            assertEquals(ch.maxMessageSize(), peer.maxMessageSize(), "both ends see the same limit");
            MessageTooLargeException e = assertThrows(MessageTooLargeException.class, () -> ch.send(ByteBuffer.allocate(101), Duration.ofSeconds(1)));
            assertTrue(e.getMessage().contains("100 bytes") && e.getMessage().contains("mq_msgsize"), e.getMessage());
        }
    }

    @Test
    void closingTheOtherEndIsEndOfStreamAfterEveryMessage() throws IOException {
        try (ServerEnd server = provider.open(ChannelSpec.of("mqueue"))) {
            Channel peer = provider.connect(server.peerSpec(), Duration.ofSeconds(5));
            Channel ch = server.accept(Duration.ofSeconds(5), Optional.empty());
            peer.send(ByteBuffer.wrap("last".getBytes(StandardCharsets.US_ASCII)), Duration.ofSeconds(1));
            peer.close();
            assertEquals(4, ch.receive(ByteBuffer.allocate(64), Duration.ofSeconds(1)), "data before end-of-stream");
            assertEquals(Channel.END_OF_STREAM, ch.receive(ByteBuffer.allocate(64), Duration.ofSeconds(1)));
            assertEquals(Channel.END_OF_STREAM, ch.tryReceive(ByteBuffer.allocate(64)));
        }
    }

    @Test
    void prioritiesDecideTheOrderOfDelivery() throws IOException {
        String name = "/" + Names.unique("mqtest");
        try (PosixQueue q = PosixQueue.create(name, 10, 64)) {
            int[] priorities = {1, 7, 3, 7, 0};
            for (int i = 0; i < priorities.length; i++) {
                assertEquals(0, q.send(("m" + i).getBytes(StandardCharsets.US_ASCII), priorities[i], Duration.ofSeconds(1)));
            }
            StringBuilder order = new StringBuilder();
            for (int i = 0; i < priorities.length; i++) {
                PosixQueue.Message m = q.receive(Duration.ofSeconds(1));
                assertNotNull(m);
                order.append(new String(m.data(), StandardCharsets.US_ASCII)).append('@').append(m.priority()).append(' ');
            }
            assertEquals("m1@7 m3@7 m2@3 m0@1 m4@0 ", order.toString(), "highest first, FIFO within a priority");
        } finally {
            PosixQueue.unlink(name);
        }
    }

    @Test
    void aKilledPeerEndsABlockedReceiveWithPeerGoneNotATimeout() throws IOException {
        try (PeerSession peer = PeerLauncher.launch(provider, ChannelSpec.of("mqueue"), Duration.ofSeconds(30))) {
            peer.kill();
            long start = System.nanoTime();
            PeerGoneException e = assertThrows(PeerGoneException.class, () -> peer.channel().receive(ByteBuffer.allocate(8192), Duration.ofSeconds(20)));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms < 5_000, "noticed after " + ms + " ms");
            assertTrue(e.getMessage().contains("pid " + peer.pid()), e.getMessage());
        }
    }

    @Test
    void theQueueOutlivesItsCreatorUntilTheSweeperRemovesIt() throws Exception {
        String name = Queues.orphan("posix");
        assertTrue(name.startsWith("/ipclab-"), name);
        try {
            assertTrue(Queues.posixExists(name), "kernel persistence: the queue outlived the process that made it");
            List<Leftover> found = new QueueSweeper().find(false);
            Leftover mine = found.stream().filter(l -> l.describe().contains(name)).findFirst().orElseThrow(
                    () -> new AssertionError("sweeper did not find " + name + " in " + found));
            assertTrue(mine.describe().contains("3 messages inside") && mine.describe().contains("is gone"), mine.describe());
            mine.remove();
            assertFalse(Queues.posixExists(name));
            assertTrue(new QueueSweeper().find(true).stream().noneMatch(l -> l.describe().contains(name)));
        } finally {
            PosixQueue.unlink(name);
        }
    }

    @Test
    void theSweeperLeavesALiveRunsQueuesAlone() throws IOException {
        try (ServerEnd server = provider.open(ChannelSpec.of("mqueue"))) {
            String q = server.createdObjects().get(0).substring("mqueue:".length());
            assertTrue(new QueueSweeper().find(false).stream().noneMatch(l -> l.describe().contains(q)), "our creator is alive");
            assertTrue(new QueueSweeper().find(true).stream().anyMatch(l -> l.describe().contains(q)), "listed with all=true");
        }
    }
}
