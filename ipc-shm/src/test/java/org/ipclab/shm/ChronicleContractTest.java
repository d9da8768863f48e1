package org.ipclab.shm;

import org.ipclab.core.ChannelSpec;
import org.ipclab.testkit.ChannelContract;

/**
 * Chronicle between two processes. {@code wait=park}: two spinning JVMs on a shared, busy CI
 * machine starve each other (100 round trips took 2 s instead of 0.2 s here); the spin loop itself
 * is the same code the shm spin contract test covers.
 */
class ChronicleContractTest extends ChannelContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("chronicle").with("wait", "park");
    }
}
