package org.ipclab.pipe;

import org.ipclab.core.ChannelSpec;
import org.ipclab.core.io.IoRoute;
import org.ipclab.testkit.ChannelContract;

class PipeContractTest extends ChannelContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("pipe").with(IoRoute.OPTION, "nio");
    }
}
