package org.ipclab.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.ipclab.core.ChannelSpec;
import org.ipclab.core.io.IoRoute;
import org.ipclab.core.peer.PeerSession;
import org.ipclab.testkit.ChannelContract;
import org.ipclab.testkit.RequiresFfm;
import org.junit.jupiter.api.Test;

/** The contract through raw read/write downcalls (io=ffm); skipped, with the reason, below JDK 22. */
@RequiresFfm
class TcpFfmContractTest extends ChannelContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("tcp").with(IoRoute.OPTION, "ffm");
    }

    @Test
    void theResultsNameTheRoute() throws IOException {
        try (PeerSession peer = launch()) {
            peer.channel().send(ByteBuffer.wrap(new byte[] {1, 2, 3}), STEP);
            assertEquals(3, peer.channel().receive(ByteBuffer.allocate(16), STEP));
            assertEquals("ffm", peer.effectiveParameters().get(IoRoute.OPTION));
        }
    }
}
