package org.ipclab.socket;

import org.ipclab.core.ChannelSpec;
import org.ipclab.core.io.IoRoute;
import org.ipclab.testkit.ChannelContract;

class TcpContractTest extends ChannelContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("tcp").with(IoRoute.OPTION, "nio");
    }
}
