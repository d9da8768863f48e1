package org.ipclab.agrona;

import org.ipclab.core.ChannelSpec;
import org.ipclab.testkit.ChannelContract;

/** Agrona's BusySpinIdleStrategy, with a small ring so that wrap-around and padding records happen often. */
class AgronaSpinContractTest extends ChannelContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("agrona").with("wait", "spin").with("capacity", "1m");
    }
}
