package org.ipclab.pipe;

import org.ipclab.core.ChannelSpec;
import org.ipclab.core.contract.ChannelContract;

class PipeContractTest extends ChannelContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("pipe");
    }
}
