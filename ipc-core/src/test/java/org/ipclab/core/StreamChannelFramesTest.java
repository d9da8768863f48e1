package org.ipclab.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

/**
 * Frame boundaries across the read buffer's growth, over a real kernel pipe: large frames back to
 * back (a read may bring one frame's tail and the next one's head), frames over the growth limit,
 * and small ones between.
 */
class StreamChannelFramesTest {
    private static final int MAX = 1 << 20;
    private static final int[] SIZES = {65536, 3, 100_000, 65536, 0, 262_144, 300_000, 65535, 65537, 7, 65536};
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void largeFramesBackToBackArriveWholeAndInOrder() throws Exception {
        Pipe pipe = Pipe.open();
        // One channel over both ends: a writer thread sends into it while this thread receives.
        try (StreamChannel reader = new StreamChannel("pipe", pipe.source(), pipe.sink(), MAX)) {
            StreamChannel writer = reader;
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    for (int round = 0; round < 20; round++) {
                        for (int i = 0; i < SIZES.length; i++) writer.send(pattern(SIZES[i], round * 100 + i), TIMEOUT);
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            ByteBuffer in = ByteBuffer.allocateDirect(MAX);
            for (int round = 0; round < 20; round++) {
                for (int i = 0; i < SIZES.length; i++) {
                    in.clear();
                    int n = reader.receive(in, TIMEOUT);
                    assertEquals(SIZES[i], n, "length of message " + i + " of round " + round);
                    assertEquals(pattern(SIZES[i], round * 100 + i), in.flip(), "content of message " + i + " of round " + round);
                }
            }
            sent.get();
        }
    }

    @Test
    void tryReceiveDeliversAFrameLargerThanTheInitialBuffer() throws Exception {
        Pipe pipe = Pipe.open();
        // One channel over both ends: a writer thread sends into it while this thread receives.
        try (StreamChannel reader = new StreamChannel("pipe", pipe.source(), pipe.sink(), MAX)) {
            StreamChannel writer = reader;
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    writer.send(pattern(65536, 1), TIMEOUT);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            ByteBuffer in = ByteBuffer.allocateDirect(MAX);
            long giveUp = System.nanoTime() + TIMEOUT.toNanos();
            int n;
            while ((n = reader.tryReceive(in)) == Channel.NO_MESSAGE && System.nanoTime() < giveUp) Thread.onSpinWait();
            assertEquals(65536, n, "a 64 KiB message polled with tryReceive");
            assertEquals(pattern(65536, 1), in.flip());
            sent.get();
        }
    }

    private static ByteBuffer pattern(int size, int seed) {
        ByteBuffer b = ByteBuffer.allocate(size);
        for (int i = 0; i < size; i++) b.put((byte) (i * 31 + seed));
        return b.flip();
    }
}
