package org.ipclab.pipe;

import org.ipclab.core.ChannelSpec;
import org.ipclab.core.io.IoRoute;
import org.ipclab.testkit.RawRouteContract;
import org.ipclab.testkit.RequiresFfm;

/** The contract through raw read/write downcalls (io=ffm); skipped, with the reason, below JDK 22. */
@RequiresFfm
class PipeFfmContractTest extends RawRouteContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("pipe").with(IoRoute.OPTION, "ffm");
    }
}
