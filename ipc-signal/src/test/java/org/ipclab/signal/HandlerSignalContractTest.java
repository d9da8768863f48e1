package org.ipclab.signal;

import org.ipclab.core.ChannelSpec;
import org.ipclab.testkit.ChannelContract;

/**
 * The contract parts that apply to a notification channel. Switched off (no @Test): the tests that
 * need messages of 8 to 64 bytes or control messages (SINK/STATS) — a signal carries at most 4 (here: 0)
 * bytes. Their notification variants are in {@link SignalChannelTest}.
 */
class HandlerSignalContractTest extends ChannelContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("signal", java.util.Map.of("route", "handler"));
    }

    /** The handler route carries 0 bytes (the provider's maximum, 4, is the real-time route's). */
    @Override
    protected java.util.List<Integer> roundTripSizes() {
        return java.util.List.of(0);
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
