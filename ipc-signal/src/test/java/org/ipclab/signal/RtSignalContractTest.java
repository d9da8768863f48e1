package org.ipclab.signal;

import org.ipclab.core.ChannelSpec;
import org.ipclab.testkit.ChannelContract;

/** The contract, as it applies to a notification channel (the suite reads the capabilities and sizes); calls through jnr-ffi. */
class RtSignalContractTest extends ChannelContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("signal", java.util.Map.of("route", "rt", SignalIo.OPTION, "jnr"));
    }
}
