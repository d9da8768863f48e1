package org.ipclab.shm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.BadInputException;
import org.ipclab.core.Channel;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.IpcException;
import org.ipclab.core.IpcTimeoutException;
import org.ipclab.core.MessageTooLargeException;
import org.ipclab.core.ServerEnd;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The ring itself, both ends in this JVM (the contract suite covers two processes): wrap-around
 * at every offset, full and empty rings, limits. Small capacities make the wrap happen constantly.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShmRingTest {
    private static final Duration STEP = Duration.ofSeconds(10);
    private final ShmProvider provider = new ShmProvider();

    /** Server end + attached client end in this process. */
    private final class Pair implements AutoCloseable {
        final ServerEnd server;
        final Channel client;
        final Channel serverChannel;

        Pair(ChannelSpec spec) throws IOException {
            server = provider.open(spec);
            client = provider.connect(server.peerSpec(), STEP);
            serverChannel = server.accept(STEP, Optional.empty());
        }

        @Override
        public void close() throws IOException {
            client.close();
            serverChannel.close();
            server.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"spin", "semaphore", "futex"})
    void recordsOfEverySizeWrapAroundIntact(String wait) throws IOException {
        try (Pair p = new Pair(ChannelSpec.of("shm").with("capacity", "64").with("wait", wait))) {
            assertEquals(48, p.client.maxMessageSize(), "64 bytes less a header and the cleared next header");
            Random random = new Random(7);
            ByteBuffer in = ByteBuffer.allocate(64);
            for (int i = 0; i < 2_000; i++) {
                int size = random.nextInt(49); // 0..48: every alignment, every split point
                byte[] sent = new byte[size];
                random.nextBytes(sent);
                p.serverChannel.send(ByteBuffer.wrap(sent), STEP);
                in.clear();
                assertEquals(size, p.client.receive(in, STEP));
                assertArrayEquals(sent, java.util.Arrays.copyOf(in.array(), size), "message " + i + " of " + size + " bytes");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"yield", "park", "semaphore", "futex"})
    void twoThreadsStreamThroughASmallRing(String wait) throws Exception {
        int count = 50_000;
        try (Pair p = new Pair(ChannelSpec.of("shm").with("capacity", "256").with("wait", wait))) {
            CompletableFuture<Long> reader = CompletableFuture.supplyAsync(() -> {
                ByteBuffer in = ByteBuffer.allocate(256);
                long sum = 0;
                try {
                    for (int i = 0; i < count; i++) {
                        in.clear();
                        int n = p.client.receive(in, STEP);
                        if (n != 1 + i % 100) throw new AssertionError("message " + i + " has " + n + " bytes");
                        for (int j = 0; j < n; j++) if (in.get(j) != (byte) (i + j)) throw new AssertionError("message " + i + " byte " + j);
                        sum += n;
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
                return sum;
            });
            long sent = 0;
            ByteBuffer out = ByteBuffer.allocate(256);
            for (int i = 0; i < count; i++) {
                int n = 1 + i % 100;
                out.clear();
                for (int j = 0; j < n; j++) out.put((byte) (i + j));
                out.flip();
                p.serverChannel.send(out, STEP);
                sent += n;
            }
            assertEquals(sent, reader.get(30, TimeUnit.SECONDS));
        }
    }

    /**
     * Fill the ring until it refuses, then drain it, many laps over: headers land on every 8-byte
     * offset (the last word of the ring too), payloads split at every point, and a full ring holds
     * exactly what the room rule says — a record's span plus the next header word it clears.
     */
    @ParameterizedTest
    @ValueSource(ints = {64, 128, 256, 4096})
    void aRingFilledToTheBrimAndDrainedKeepsEveryRecordInOrder(int capacity) throws IOException {
        try (Pair p = new Pair(ChannelSpec.of("shm").with("capacity", Integer.toString(capacity)))) {
            int max = p.client.maxMessageSize();
            assertEquals(capacity - 16, max);
            Random random = new Random(capacity);
            java.util.ArrayDeque<byte[]> inFlight = new java.util.ArrayDeque<>();
            ByteBuffer in = ByteBuffer.allocate(capacity);
            long written = 0;
            long read = 0;
            for (int round = 0; round < 400; round++) {
                while (true) {
                    // mostly small records, sometimes one of the largest sizes
                    int size = random.nextInt(4) == 0 ? max - random.nextInt(Math.min(max, 24) + 1) : random.nextInt(Math.min(max, 40) + 1);
                    byte[] m = new byte[size];
                    random.nextBytes(m);
                    long room = ShmLayout.roomNeeded(ShmLayout.recordSpan(size));
                    boolean fits = written + room - read <= capacity;
                    assertEquals(fits, p.serverChannel.trySend(ByteBuffer.wrap(m)),
                            "a " + size + "-byte record with " + (capacity - (written - read)) + " bytes free");
                    if (!fits) break;
                    inFlight.add(m);
                    written += ShmLayout.recordSpan(size);
                }
                int drain = round % 3 == 0 ? inFlight.size() : 1 + random.nextInt(inFlight.size());
                for (int i = 0; i < drain; i++) {
                    byte[] want = inFlight.remove();
                    in.clear();
                    assertEquals(want.length, p.client.receive(in, STEP));
                    assertArrayEquals(want, java.util.Arrays.copyOf(in.array(), want.length), "round " + round + ", record at " + read);
                    read += ShmLayout.recordSpan(want.length);
                }
            }
            while (!inFlight.isEmpty()) {
                byte[] want = inFlight.remove();
                in.clear();
                assertEquals(want.length, p.client.receive(in, STEP));
                assertArrayEquals(want, java.util.Arrays.copyOf(in.array(), want.length));
            }
            assertEquals(Channel.NO_MESSAGE, p.client.tryReceive(in.clear()), "drained: the next header word reads as empty");
        }
    }

    @Test
    void aHeaderThatIsNotTheExpectedOneIsACorruptRingNotAMessage() throws IOException {
        try (Pair p = new Pair(ChannelSpec.of("shm").with("capacity", "4k"))) {
            ShmSegment segment = ((ShmChannel) p.serverChannel).segment();
            int data = ShmLayout.ringOffset(ShmLayout.CREATOR_TO_PEER, segment.capacity) + ShmLayout.DATA_OFFSET;
            // a well-formed header of another position (a stale record of an earlier lap or session)
            ShmLayout.LONG.setRelease(segment.buffer, data, ShmLayout.header(4096, 3));
            org.ipclab.core.ProtocolException e = assertThrows(org.ipclab.core.ProtocolException.class,
                    () -> p.client.tryReceive(ByteBuffer.allocate(64)));
            assertTrue(e.getMessage().contains("corrupt record at position 0"), e.getMessage());
        }
    }

    /** The next session must not read the last one's unread records: the reset clears the first header word. */
    @Test
    void unreadRecordsOfTheLastSessionDoNotReachTheNextPeer() throws Exception {
        ServerEnd server = provider.open(ChannelSpec.of("shm").with("capacity", "4k"));
        try {
            Channel first = provider.connect(server.peerSpec(), STEP);
            Channel serverSide = server.accept(STEP, Optional.empty());
            serverSide.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), STEP); // never read
            first.close();
            CompletableFuture<Channel> next = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.accept(STEP, Optional.empty());
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            try (Channel second = provider.connect(server.peerSpec(), STEP); Channel again = next.get(20, TimeUnit.SECONDS)) {
                assertEquals(Channel.NO_MESSAGE, second.tryReceive(ByteBuffer.allocate(64)), "nothing sent in this session");
                again.send(ByteBuffer.wrap(new byte[] {9}), STEP);
                ByteBuffer in = ByteBuffer.allocate(64);
                assertEquals(1, second.receive(in, STEP));
                assertEquals(9, in.get(0));
            }
        } finally {
            server.close();
        }
    }

    @Test
    void endOfStreamAfterTheLastRecord() throws IOException {
        try (Pair p = new Pair(ChannelSpec.of("shm").with("capacity", "4k"))) {
            p.serverChannel.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), STEP);
            p.serverChannel.close();
            ByteBuffer in = ByteBuffer.allocate(64);
            assertEquals(3, p.client.receive(in, STEP), "the record written before close still arrives");
            assertEquals(Channel.END_OF_STREAM, p.client.receive(in, STEP));
            assertThrows(IpcException.class, () -> p.client.send(ByteBuffer.allocate(1), STEP), "sending to a closed end");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"spin", "park", "semaphore", "futex"})
    void sendTimesOutOnAFullRing(String wait) throws IOException {
        try (Pair p = new Pair(ChannelSpec.of("shm").with("capacity", "64").with("wait", wait))) {
            ByteBuffer msg = ByteBuffer.allocate(16); // span 24, plus the next header: two fill the ring
            assertTrue(p.serverChannel.trySend(msg));
            assertTrue(p.serverChannel.trySend(msg.rewind()));
            assertFalse(p.serverChannel.trySend(msg.rewind()), "a full ring refuses without waiting");
            long start = System.nanoTime();
            assertThrows(IpcTimeoutException.class, () -> p.serverChannel.send(msg, Duration.ofMillis(200)));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms >= 190 && ms < 5_000, "timed out after " + ms + " ms");
            assertEquals(16, p.client.receive(ByteBuffer.allocate(64), STEP));
            p.serverChannel.send(msg.rewind(), STEP); // room again: the channel stayed usable
        }
    }

    @Test
    void messageLargerThanTheRingIsRefusedAndNamesTheLimit() throws IOException {
        try (Pair p = new Pair(ChannelSpec.of("shm").with("capacity", "128"))) {
            MessageTooLargeException e = assertThrows(MessageTooLargeException.class,
                    () -> p.serverChannel.send(ByteBuffer.allocate(113), STEP));
            assertTrue(e.getMessage().contains("112"), e.getMessage());
            p.serverChannel.send(ByteBuffer.allocate(112), STEP); // exactly the limit fits
            assertEquals(112, p.client.receive(ByteBuffer.allocate(128), STEP));
            p.serverChannel.send(ByteBuffer.allocate(112), STEP); // and again, from position 120: across the end
            assertEquals(112, p.client.receive(ByteBuffer.allocate(128), STEP));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"100", "3000", "32", "0", "1g"})
    void badCapacityIsRefusedBeforeAnythingIsCreated(String capacity) throws IOException {
        long before = countOurs();
        BadInputException e = assertThrows(BadInputException.class,
                () -> provider.open(ChannelSpec.of("shm").with("capacity", capacity)));
        assertTrue(e.getMessage().contains("capacity"), e.getMessage());
        assertEquals(before, countOurs(), "nothing left in /dev/shm");
    }

    @Test
    void badWaitStrategyIsRefused() {
        BadInputException e = assertThrows(BadInputException.class, () -> provider.open(ChannelSpec.of("shm").with("wait", "sleep")));
        assertTrue(e.getMessage().contains("wait=sleep") && e.getMessage().contains("semaphore"), e.getMessage());
    }

    @Test
    void aSecondPeerIsRefused() throws IOException {
        try (Pair p = new Pair(ChannelSpec.of("shm").with("capacity", "4k"))) {
            // A second peer waits for the slot as long as its timeout allows (the next client of `ipc serve`), then is refused.
            IpcException e = assertThrows(IpcException.class, () -> provider.connect(p.server.peerSpec(), Duration.ofSeconds(1)));
            assertTrue(e.getMessage().contains("already has a peer"), e.getMessage());
        }
    }

    @Test
    void effectiveParametersEchoTheWaitStrategyAndCapacity() throws IOException {
        try (ServerEnd server = provider.open(ChannelSpec.of("shm").with("wait", "park").with("capacity", "64k"))) {
            assertEquals("park", server.effectiveParameters().get("wait"));
            assertEquals("65536", server.effectiveParameters().get("capacity"));
            Path file = Path.of(server.effectiveParameters().get("segmentFile"));
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        }
    }

    static long countOurs() throws IOException {
        String me = "ipclab-" + ProcessHandle.current().pid() + "-";
        try (var s = Files.list(Path.of("/dev/shm"))) {
            return s.filter(f -> f.getFileName().toString().contains(me)).count();
        }
    }
}
