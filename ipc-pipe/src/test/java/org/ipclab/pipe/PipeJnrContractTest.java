package org.ipclab.pipe;

import org.ipclab.core.ChannelSpec;
import org.ipclab.core.io.IoRoute;
import org.ipclab.testkit.RawRouteContract;

/** The contract through raw read/write calls made by jnr-ffi (io=jnr), on every JDK. */
class PipeJnrContractTest extends RawRouteContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("pipe").with(IoRoute.OPTION, "jnr");
    }
}
