package org.ipclab.fifo;

import org.ipclab.core.ChannelSpec;
import org.ipclab.core.io.IoRoute;
import org.ipclab.testkit.RawRouteContract;

/** The contract through raw read/write calls made by jnr-ffi (io=jnr), on every JDK. */
class FifoJnrContractTest extends RawRouteContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("fifo").with(IoRoute.OPTION, "jnr");
    }
}
