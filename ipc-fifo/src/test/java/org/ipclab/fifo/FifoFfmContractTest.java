package org.ipclab.fifo;

import org.ipclab.core.ChannelSpec;
import org.ipclab.core.io.IoRoute;
import org.ipclab.testkit.RawRouteContract;
import org.ipclab.testkit.RequiresFfm;

/** The contract through raw read/write downcalls (io=ffm); skipped, with the reason, below JDK 22. */
@RequiresFfm
class FifoFfmContractTest extends RawRouteContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("fifo").with(IoRoute.OPTION, "ffm");
    }
}
