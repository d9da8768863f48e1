package org.ipclab.socket;

import org.ipclab.core.ChannelSpec;
import org.ipclab.core.io.IoRoute;
import org.ipclab.testkit.ChannelContract;

class UnixStreamContractTest extends ChannelContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("unix").with(IoRoute.OPTION, "nio");
    }
}
