package org.ipclab.socket;

import java.util.List;
import java.util.stream.Collectors;

import org.ipclab.core.ChannelSpec;
import org.ipclab.testkit.ChannelContract;

/** The same contract with a name in the abstract namespace instead of a socket file. */
class UnixSeqpacketAbstractContractTest extends ChannelContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("unix-seqpacket").with("abstract", "true");
    }

    /** No 0-byte message on SOCK_SEQPACKET: recv returning 0 means the peer closed. */
    @Override
    protected List<Integer> roundTripSizes() {
        return super.roundTripSizes().stream().filter(s -> s > 0).collect(Collectors.toList());
    }
}
