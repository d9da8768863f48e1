package org.ipclab.socket;

import org.ipclab.core.ChannelSpec;
import org.ipclab.core.io.IoRoute;

/** The contract through raw recv/send calls made by jnr-ffi (io=jnr), on every JDK. */
class UdpJnrContractTest extends DatagramRawRouteContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("udp").with(IoRoute.OPTION, "jnr");
    }
}
