package org.ipclab.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.Channel;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.peer.Control;
import org.ipclab.core.reliable.AckedChannel;
import org.ipclab.core.peer.PeerLauncher;
import org.ipclab.core.peer.PeerSession;
import org.ipclab.core.peer.Probe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * UDP really loses datagrams on one host when the receiver's buffer is full. With a tiny SO_RCVBUF
 * and a burst, most probes are dropped — and the run must still end with the peer's STATS (carried
 * by the acknowledged layer the peer protocol puts over it, AckedChannel), not with a timeout.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdpLossTest {
    @Test
    void aLossyBurstStillEndsWithStatsThatCountTheLoss() throws IOException {
        ChannelSpec spec = ChannelSpec.of("udp").with("rcvbuf", "4k");
        int sent = 20_000;
        try (PeerSession peer = PeerLauncher.launch(spec, Duration.ofSeconds(30))) {
            Channel ch = peer.channel();
            assertTrue(ch instanceof AckedChannel, "the launcher wraps a channel without RELIABLE: " + ch);
            AckedChannel.send(ch, Control.message(Control.SINK), Duration.ofSeconds(5));
            Probe probe = new Probe();
            ByteBuffer msg = Probe.newBuffer(1024);
            int fill = probe.fillChecksum(msg);
            for (int seq = 0; seq < sent; seq++) {
                probe.stamp(msg, seq, System.nanoTime(), fill);
                ch.send(msg, Duration.ofSeconds(5));
            }
            AckedChannel.send(ch, Control.message(Control.SINK_END, sent), Duration.ofSeconds(10));
            ByteBuffer stats = ByteBuffer.allocateDirect(ch.maxMessageSize()).order(ByteOrder.LITTLE_ENDIAN);
            int n = ch.receive(stats, Duration.ofSeconds(10));
            stats.flip();
            assertEquals(Control.STATS, Control.opcode(stats, n), "STATS after a lossy burst");
            long received = Control.arg(stats, 0);
            assertEquals(0, Control.arg(stats, 2), "corrupt");
            assertTrue(received <= sent, "received " + received + " of " + sent);
            System.out.println("udp burst with rcvbuf=4k: sent " + sent + ", received " + received + ", lost " + (sent - received));
            assumeTrue(received < sent, "no datagram was lost this time; the lossy path was not exercised");
            // The channel still works for a ping-pong after the loss.
            ByteBuffer ping = ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
            ch.send(ping, Duration.ofSeconds(5));
            assertEquals(8, ch.receive(ByteBuffer.allocate(64), Duration.ofSeconds(5)));
        }
    }
}
