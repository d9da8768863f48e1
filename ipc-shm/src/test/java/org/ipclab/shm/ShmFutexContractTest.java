package org.ipclab.shm;

import org.ipclab.core.ChannelSpec;
import org.ipclab.core.contract.ChannelContract;

class ShmFutexContractTest extends ChannelContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("shm").with("wait", "futex");
    }
}
