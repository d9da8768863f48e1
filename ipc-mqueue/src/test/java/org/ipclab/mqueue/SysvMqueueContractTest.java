package org.ipclab.mqueue;

import org.ipclab.core.ChannelSpec;
import org.ipclab.testkit.ChannelContract;

/** The shared contract across two processes, at every size up to msgmax. */
class SysvMqueueContractTest extends ChannelContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("sysv-mqueue");
    }
}
