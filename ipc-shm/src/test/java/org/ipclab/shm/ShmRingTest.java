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
            assertEquals(56, p.client.maxMessageSize());
            Random random = new Random(7);
            ByteBuffer in = ByteBuffer.allocate(64);
            for (int i = 0; i < 2_000; i++) {
                int size = random.nextInt(57); // 0..56: every alignment, every split point
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
            ByteBuffer msg = ByteBuffer.allocate(24); // span 32: two fill the ring
            assertTrue(p.serverChannel.trySend(msg));
            assertTrue(p.serverChannel.trySend(msg));
            assertFalse(p.serverChannel.trySend(msg), "a full ring refuses without waiting");
            long start = System.nanoTime();
            assertThrows(IpcTimeoutException.class, () -> p.serverChannel.send(msg, Duration.ofMillis(200)));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms >= 190 && ms < 5_000, "timed out after " + ms + " ms");
            assertEquals(24, p.client.receive(ByteBuffer.allocate(64), STEP));
            p.serverChannel.send(msg, STEP); // room again: the channel stayed usable
        }
    }

    @Test
    void messageLargerThanTheRingIsRefusedAndNamesTheLimit() throws IOException {
        try (Pair p = new Pair(ChannelSpec.of("shm").with("capacity", "128"))) {
            MessageTooLargeException e = assertThrows(MessageTooLargeException.class,
                    () -> p.serverChannel.send(ByteBuffer.allocate(121), STEP));
            assertTrue(e.getMessage().contains("120"), e.getMessage());
            p.serverChannel.send(ByteBuffer.allocate(120), STEP); // exactly the limit fits
            assertEquals(120, p.client.receive(ByteBuffer.allocate(128), STEP));
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
            IpcException e = assertThrows(IpcException.class, () -> provider.connect(p.server.peerSpec(), STEP));
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
