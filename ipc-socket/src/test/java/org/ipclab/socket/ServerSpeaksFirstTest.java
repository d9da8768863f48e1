package org.ipclab.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.Channel;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.Providers;
import org.ipclab.core.ServerEnd;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ipc serve} turns the roles around: the server end greets first (HELLO) and the client
 * only listens. A datagram server cannot know its client until the client has sent something, so
 * connect() sends a JOIN (for udp: repeated until answered); without it both sides would wait.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServerSpeaksFirstTest {
    @ParameterizedTest
    @ValueSource(strings = {"unix", "junix", "unix-dgram", "unix-seqpacket", "tcp", "udp"})
    void theServerCanSpeakFirst(String mechanism) throws Exception {
        ChannelSpec spec = ChannelSpec.of(mechanism);
        ChannelProvider provider = Providers.forSpec(spec);
        try (ServerEnd server = provider.open(spec)) {
            ChannelSpec peerSpec = server.peerSpec();
            CompletableFuture<Channel> client = CompletableFuture.supplyAsync(() -> {
                try {
                    return provider.connect(peerSpec, Duration.ofSeconds(10));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (Channel s = server.accept(Duration.ofSeconds(10), Optional.empty());
                 Channel c = client.get(10, TimeUnit.SECONDS)) {
                s.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), Duration.ofSeconds(5));
                assertEquals(3, c.receive(ByteBuffer.allocate(c.maxMessageSize()), Duration.ofSeconds(5)), "client hears the server first");
                c.send(ByteBuffer.wrap(new byte[] {4, 5}), Duration.ofSeconds(5));
                assertEquals(2, s.receive(ByteBuffer.allocate(s.maxMessageSize()), Duration.ofSeconds(5)), "and then answers");
            }
        }
    }
}
