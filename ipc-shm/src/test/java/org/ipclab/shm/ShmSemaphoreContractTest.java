package org.ipclab.shm;

import org.ipclab.core.ChannelSpec;
import org.ipclab.testkit.ChannelContract;

class ShmSemaphoreContractTest extends ChannelContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("shm").with("wait", "semaphore");
    }
}
