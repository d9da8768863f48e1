package org.ipclab.socket;

import org.ipclab.core.ChannelSpec;
import org.ipclab.core.io.IoRoute;
import org.ipclab.testkit.RequiresFfm;

/** The contract through raw recv/send downcalls (io=ffm); skipped, with the reason, below JDK 22. */
@RequiresFfm
class UnixDatagramFfmContractTest extends UnixDatagramRawRouteContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("unix-dgram").with(IoRoute.OPTION, "ffm");
    }
}
