package org.ipclab.socket;

import org.ipclab.core.ChannelSpec;
import org.ipclab.testkit.ChannelContract;

class JunixStreamContractTest extends ChannelContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("junix");
    }
}
