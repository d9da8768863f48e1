package org.ipclab.core.reliable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.Channel;
import org.ipclab.core.IpcTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AckedChannelTest {
    private static final Duration STEP = Duration.ofSeconds(10);

    private static ByteBuffer message(int value) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, value);
    }

    /**
     * Receives on {@code ch} in another thread until it stays quiet for 500 ms, as long values.
     * It keeps reading after the last message because a receiver acknowledges only while it
     * receives: the sender of a message whose ACK was lost needs one more acknowledgement.
     */
    private static CompletableFuture<List<Long>> receiveUntilQuiet(Channel ch) {
        return CompletableFuture.supplyAsync(() -> {
            List<Long> seen = new ArrayList<>();
            ByteBuffer in = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            try {
                while (true) {
                    in.clear();
                    assertEquals(8, ch.receive(in, Duration.ofMillis(500)), "payload length");
                    seen.add(in.getLong(0));
                }
            } catch (IpcTimeoutException quiet) {
                return seen;
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    @Test
    void everyAcknowledgedMessageArrivesOnceAndInOrderWhenEveryThirdDatagramIsLost() throws Exception {
        LossyPair net = new LossyPair(3, LossyPair.all(), 3, LossyPair.all());
        AckedChannel a = new AckedChannel(net.a, Duration.ofMillis(2));
        AckedChannel b = new AckedChannel(net.b, Duration.ofMillis(2));
        CompletableFuture<List<Long>> got = receiveUntilQuiet(b);
        for (int i = 0; i < 60; i++) a.sendAcked(message(i), STEP);
        List<Long> expected = new ArrayList<>();
        for (long i = 0; i < 60; i++) expected.add(i);
        assertEquals(expected, got.get(30, TimeUnit.SECONDS));
        assertTrue(net.a.dropped.get() > 0 && net.b.dropped.get() > 0, "the test lost nothing: it proves nothing");
        assertTrue(net.a.sent.get() > 60, "lost messages were retransmitted: " + net.a.sent.get() + " sends");
    }

    @Test
    void aRetransmissionWhoseAckWasLostIsNotDeliveredTwice() throws Exception {
        // Every acknowledgement B sends is lost the first time round (1 of every 2): A sends each message twice.
        LossyPair net = new LossyPair(0, LossyPair.all(), 2, LossyPair::isAck);
        AckedChannel a = new AckedChannel(net.a, Duration.ofMillis(2));
        AckedChannel b = new AckedChannel(net.b, Duration.ofMillis(2));
        CompletableFuture<List<Long>> got = receiveUntilQuiet(b); // a duplicate delivered would show up here
        a.sendAcked(message(7), STEP);
        a.sendAcked(message(8), STEP);
        assertEquals(List.of(7L, 8L), got.get(30, TimeUnit.SECONDS), "each delivered once, the duplicate dropped");
        assertTrue(net.b.dropped.get() >= 1, "no acknowledgement was lost");
        assertTrue(net.a.sent.get() >= 3, "the message whose ACK was lost was sent again");
    }

    @Test
    void aPeerThatNeverAcknowledgesEndsInATimeoutThatSaysSo() {
        LossyPair net = new LossyPair(1, LossyPair.all(), 0, LossyPair.all()); // everything A sends is lost
        AckedChannel a = new AckedChannel(net.a, Duration.ofMillis(5));
        IpcTimeoutException e = assertThrows(IpcTimeoutException.class, () -> a.sendAcked(message(1), Duration.ofMillis(300)));
        assertTrue(e.getMessage().contains("no acknowledgement after"), e.getMessage());
        int sends = net.a.sent.get();
        assertTrue(sends > 1, "retransmitted before giving up: " + sends);
        assertTrue(e.getMessage().contains(sends + " transmissions"), e.getMessage());
    }

    @Test
    void plainMessagesPassUnchangedAndAnAckedOneInBetweenKeepsItsPlace() throws Exception {
        LossyPair net = new LossyPair(0, LossyPair.all(), 0, LossyPair.all());
        AckedChannel a = new AckedChannel(net.a, Duration.ofMillis(5));
        AckedChannel b = new AckedChannel(net.b, Duration.ofMillis(5));
        byte[] raw = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
        a.send(ByteBuffer.wrap(raw), STEP);
        CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
            try {
                a.sendAcked(message(42), STEP);
                a.send(message(43), STEP);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        ByteBuffer in = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(raw.length, b.receive(in, STEP));
        byte[] got = new byte[raw.length];
        in.flip().get(got);
        assertArrayEquals(raw, got, "a plain message gets no header");
        in.clear();
        assertEquals(8, b.receive(in, STEP));
        assertEquals(42, in.getLong(0));
        in.clear();
        assertEquals(8, b.receive(in, STEP));
        assertEquals(43, in.getLong(0));
        sender.get(10, TimeUnit.SECONDS);
    }

    @Test
    void bothEndsSendingAcknowledgedMessagesAtOnceDoNotDeadlock() throws Exception {
        LossyPair net = new LossyPair(4, LossyPair.all(), 5, LossyPair.all());
        AckedChannel a = new AckedChannel(net.a, Duration.ofMillis(2));
        AckedChannel b = new AckedChannel(net.b, Duration.ofMillis(2));
        CompletableFuture<Void> fromB = CompletableFuture.runAsync(() -> {
            try {
                b.sendAcked(message(2), STEP);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        a.sendAcked(message(1), STEP);
        fromB.get(20, TimeUnit.SECONDS);
        ByteBuffer in = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(8, a.receive(in, STEP), "B's message, kept while A waited for its ACK");
        assertEquals(2, in.getLong(0));
    }

    @Test
    void aReliableMechanismIsNotWrapped() {
        Channel plain = new LossyPair(0, LossyPair.all(), 0, LossyPair.all()).a;
        org.ipclab.core.MechanismInfo reliable = org.ipclab.core.MechanismInfo.builder("fake").description("fake")
                .capabilities(org.ipclab.core.Capability.RELIABLE).maxMessageSize(1500).build();
        org.ipclab.core.MechanismInfo lossy = org.ipclab.core.MechanismInfo.builder("fake").description("fake")
                .capabilities(org.ipclab.core.Capability.BIDIRECTIONAL).maxMessageSize(1500).build();
        assertSame(plain, AckedChannel.over(plain, reliable));
        assertTrue(AckedChannel.over(plain, lossy) instanceof AckedChannel);
    }
}
