package org.ipclab.socket;

import org.ipclab.core.ChannelSpec;
import org.ipclab.core.io.IoRoute;
import org.ipclab.testkit.RawRouteContract;

/** The contract through raw recv/send calls made by jnr-ffi (io=jnr), on every JDK. */
class UnixStreamJnrContractTest extends RawRouteContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("unix").with(IoRoute.OPTION, "jnr");
    }
}
