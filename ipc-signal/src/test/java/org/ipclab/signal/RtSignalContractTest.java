package org.ipclab.signal;

import org.ipclab.core.ChannelSpec;
import org.ipclab.testkit.ChannelContract;

/**
 * The contract parts that apply to a notification channel. Switched off (no @Test): the tests that
 * need messages of 8 to 64 bytes or control messages (SINK/STATS) — a signal carries at most 4
 * bytes. Their notification variants are in {@link SignalChannelTest}.
 */
class RtSignalContractTest extends ChannelContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("signal", java.util.Map.of("route", "rt"));
    }

    // Needs SINK/SINK_END/STATS control messages and 64-byte probes; see SignalChannelTest.realTimeSignalsAreQueuedInOrder.
    @Override
    protected void hundredThousandMessagesArriveInOrderAndIntact() {
    }

    // Sends 64-byte messages; see SignalChannelTest.aKilledPeerEndsAReceiveWithPeerGone.
    @Override
    protected void peerKilledMidStreamEndsInAnErrorNotAHang() {
    }

    // Its second half sends 8 bytes; see SignalChannelTest.oversizedPayloadIsRefusedNamingTheLimit.
    @Override
    protected void oversizedMessageIsRefusedAndTheChannelStaysUsable() {
    }

    // Sends 16 bytes; signals create no kernel object or file to remove.
    @Override
    protected void closingRemovesEveryKernelObjectAndFile() {
    }
}
