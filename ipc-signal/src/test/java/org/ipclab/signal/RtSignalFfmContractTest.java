package org.ipclab.signal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;

import org.ipclab.core.ChannelSpec;
import org.ipclab.core.peer.PeerSession;
import org.ipclab.testkit.ChannelContract;
import org.ipclab.testkit.RequiresFfm;
import org.junit.jupiter.api.Test;

/** The contract with sigqueue/sigtimedwait as java.lang.foreign downcalls (io=ffm); skipped, with the reason, below JDK 22. */
@RequiresFfm
class RtSignalFfmContractTest extends ChannelContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("signal", Map.of("route", "rt", SignalIo.OPTION, "ffm"));
    }

    @Test
    void theResultsNameTheRoute() throws IOException {
        try (PeerSession peer = launch()) {
            peer.channel().send(ByteBuffer.wrap(new byte[] {1, 2, 3}), STEP);
            assertEquals(3, peer.channel().receive(ByteBuffer.allocate(16), STEP));
            assertEquals("ffm", peer.effectiveParameters().get(SignalIo.OPTION));
        }
    }
}
