package org.ipclab.socket;

import org.ipclab.core.ChannelSpec;
import org.ipclab.core.contract.ChannelContract;

class UnixStreamContractTest extends ChannelContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("unix");
    }
}
