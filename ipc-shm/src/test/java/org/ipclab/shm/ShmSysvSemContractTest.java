package org.ipclab.shm;

import org.ipclab.core.ChannelSpec;
import org.ipclab.testkit.ChannelContract;

/** The ring with System V semaphores (semget/semop/semtimedop) as its wake-up. */
class ShmSysvSemContractTest extends ChannelContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("shm").with("wait", "sysv-sem");
    }
}
