package org.ipclab.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.ipclab.core.io.IoRoute;
import org.ipclab.core.peer.PeerSession;
import org.junit.jupiter.api.Test;

/**
 * The contract through a raw io route ({@code io=ffm}, {@code io=jnr}: read/write or recv/send on
 * the descriptor): {@link #spec()} names the route, and the results must name it too.
 */
public abstract class RawRouteContract extends ChannelContract {
    @Test
    void theResultsNameTheRoute() throws IOException {
        String route = spec().option(IoRoute.OPTION).orElseThrow(() -> new AssertionError(spec() + " names no io route"));
        try (PeerSession peer = launch()) {
            peer.channel().send(ByteBuffer.wrap(new byte[] {1, 2, 3}), STEP);
            assertEquals(3, peer.channel().receive(ByteBuffer.allocate(16), STEP));
            assertEquals(route, peer.effectiveParameters().get(IoRoute.OPTION));
        }
    }
}
