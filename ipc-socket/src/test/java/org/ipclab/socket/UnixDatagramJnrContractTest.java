package org.ipclab.socket;

import org.ipclab.core.ChannelSpec;
import org.ipclab.core.io.IoRoute;

/** The contract through raw recv/send calls made by jnr-ffi (io=jnr), on every JDK. */
class UnixDatagramJnrContractTest extends UnixDatagramRawRouteContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("unix-dgram").with(IoRoute.OPTION, "jnr");
    }
}
