package org.ipclab.signal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.BadInputException;
import org.ipclab.core.Channel;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.IpcException;
import org.ipclab.core.MessageTooLargeException;
import org.ipclab.core.PeerGoneException;
import org.ipclab.core.ServerEnd;
import org.ipclab.core.peer.PeerLauncher;
import org.ipclab.core.peer.PeerSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The notification variants of the contract tests that need bigger messages, and the bad input of issue 6. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SignalChannelTest {
    private static final Duration STEP = Duration.ofSeconds(10);
    private final SignalProvider provider = new SignalProvider();

    private PeerSession launch(String route) throws IOException {
        return PeerLauncher.launch(provider, ChannelSpec.of("signal", Map.of("route", route)), Duration.ofSeconds(30));
    }

    /** Real-time signals are queued: 2,000 sent back to back all come back, in order, each with its payload. */
    @Test
    void realTimeSignalsAreQueuedInOrderWithTheirPayload() throws IOException {
        try (PeerSession peer = launch("rt")) {
            Channel ch = peer.channel();
            ByteBuffer out = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            int count = 2_000;
            for (int i = 0; i < count; i++) ch.send(out.clear().putInt(0, i * 7919), STEP);
            ByteBuffer in = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < count; i++) {
                in.clear();
                assertEquals(4, ch.receive(in, STEP));
                assertEquals(i * 7919, in.getInt(0), "payload of signal " + i);
            }
        }
    }

    @Test
    void shorterPayloadsKeepTheirLength() throws IOException {
        try (PeerSession peer = launch("rt")) {
            Channel ch = peer.channel();
            for (int size = 0; size <= 4; size++) {
                byte[] sent = new byte[size];
                for (int i = 0; i < size; i++) sent[i] = (byte) (0xA0 + i);
                ch.send(ByteBuffer.wrap(sent), STEP);
                ByteBuffer in = ByteBuffer.allocate(8);
                assertEquals(size, ch.receive(in, STEP));
                for (int i = 0; i < size; i++) assertEquals(sent[i], in.get(i));
            }
        }
    }

    @Test
    void aKilledPeerEndsAReceiveWithPeerGone() throws IOException {
        for (String route : new String[] {"rt", "handler"}) {
            try (PeerSession peer = launch(route)) {
                ByteBuffer m = ByteBuffer.allocate(route.equals("rt") ? 4 : 0);
                peer.channel().send(m, STEP);
                assertTrue(peer.channel().receive(ByteBuffer.allocate(8), STEP) >= 0);
                peer.kill();
                long start = System.nanoTime();
                IOException e = assertThrows(IOException.class, () -> {
                    peer.channel().send(m.clear(), STEP);
                    peer.channel().receive(ByteBuffer.allocate(8), Duration.ofSeconds(20));
                });
                assertTrue(e instanceof PeerGoneException, route + ": " + e);
                assertTrue((System.nanoTime() - start) / 1_000_000 < 5_000, route + ": took too long");
            }
        }
    }

    @Test
    void oversizedPayloadIsRefusedNamingTheLimitAndTheChannelStaysUsable() throws IOException {
        try (PeerSession peer = launch("rt")) {
            Channel ch = peer.channel();
            MessageTooLargeException e = assertThrows(MessageTooLargeException.class, () -> ch.send(ByteBuffer.allocate(5), STEP));
            assertTrue(e.getMessage().contains("limit of 4 bytes"), e.getMessage());
            ch.send(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}), STEP);
            assertEquals(4, ch.receive(ByteBuffer.allocate(4), STEP));
        }
        try (PeerSession peer = launch("handler")) {
            Channel ch = peer.channel();
            MessageTooLargeException e = assertThrows(MessageTooLargeException.class, () -> ch.send(ByteBuffer.allocate(1), STEP));
            assertTrue(e.getMessage().contains("limit of 0 bytes"), e.getMessage());
            ch.send(ByteBuffer.allocate(0), STEP);
            assertEquals(0, ch.receive(ByteBuffer.allocate(4), STEP));
        }
    }

    @Test
    void signalsTheJvmReservesOrNobodyCanCatchAreRefused() {
        BadInputException e = assertThrows(BadInputException.class, () -> provider.open(ChannelSpec.of("signal", Map.of("route", "handler", "signal", "QUIT"))));
        assertTrue(e.getMessage().contains("reserved by the JVM") && e.getMessage().contains("thread dump"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> provider.open(ChannelSpec.of("signal", Map.of("route", "handler", "signal", "SIGKILL"))));
        assertTrue(e.getMessage().contains("neither caught nor ignored"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> provider.open(ChannelSpec.of("signal", Map.of("route", "rt", "signal", "RTMIN+99"))));
        assertTrue(e.getMessage().contains("outside SIGRTMIN"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> provider.open(ChannelSpec.of("signal", Map.of("route", "carrier-pigeon"))));
        assertTrue(e.getMessage().contains("rt or handler"), e.getMessage());
    }

    @Test
    void aPidThatIsNotOurPeerIsNeverSignalled() {
        long notOurParent = ProcessHandle.current().pid(); // ourselves: certainly not the process that started us
        BadInputException e = assertThrows(BadInputException.class, () -> provider.connect(
                ChannelSpec.of("signal", Map.of("route", "handler", SignalProvider.SERVER_PID, Long.toString(notOurParent))), STEP));
        assertTrue(e.getMessage().contains("is not our peer") && e.getMessage().contains("only signals processes it started"), e.getMessage());
    }

    @Test
    void withoutAPeerWeStartedThereIsNobodyToSignal() throws IOException {
        try (ServerEnd server = provider.open(ChannelSpec.of("signal", Map.of("route", "rt")))) {
            BadInputException e = assertThrows(BadInputException.class, () -> server.accept(STEP, Optional.empty()));
            assertTrue(e.getMessage().contains("only a peer process it started"), e.getMessage());
        }
    }

    /** This test JVM was started normally: SIGRTMIN is not blocked in its threads, so it must not receive it. */
    @Test
    void aRealTimeReceiverNotStartedWithTheSignalBlockedIsRefused() {
        long parent = ProcessHandle.current().parent().orElseThrow().pid();
        IpcException e = assertThrows(IpcException.class, () -> provider.connect(
                ChannelSpec.of("signal", Map.of("route", "rt", SignalProvider.SERVER_PID, Long.toString(parent))), STEP));
        assertTrue(e.getMessage().contains("not started with signal"), e.getMessage());
    }
}
