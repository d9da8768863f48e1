package org.ipclab.socket;

import java.util.List;
import java.util.stream.Collectors;

import org.ipclab.core.ChannelSpec;
import org.ipclab.core.io.IoRoute;
import org.ipclab.testkit.ChannelContract;

class UnixDatagramContractTest extends ChannelContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("unix-dgram").with(IoRoute.OPTION, "nio");
    }

    /** No 0-byte message: see DatagramMessageChannel#checkSize (the send is refused with a clear error). */
    @Override
    protected List<Integer> roundTripSizes() {
        return super.roundTripSizes().stream().filter(s -> s > 0).collect(Collectors.toList());
    }
}
