package org.ipclab.socket;

import org.ipclab.core.ChannelSpec;
import org.ipclab.core.contract.ChannelContract;

class JunixStreamContractTest extends ChannelContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("junix");
    }
}
