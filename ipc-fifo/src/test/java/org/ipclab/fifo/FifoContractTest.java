package org.ipclab.fifo;

import org.ipclab.core.ChannelSpec;
import org.ipclab.core.io.IoRoute;
import org.ipclab.testkit.ChannelContract;

class FifoContractTest extends ChannelContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("fifo").with(IoRoute.OPTION, "nio");
    }
}
