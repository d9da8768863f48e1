package org.ipclab.aeron;

import org.ipclab.core.ChannelSpec;
import org.ipclab.testkit.ChannelContract;

/**
 * Busy-spinning, with the smallest term Aeron allows: 100,000 messages rotate through the three
 * terms of each log about fifty times, and the largest message (8 KiB) is two 4 KiB fragments.
 */
class AeronSpinContractTest extends ChannelContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("aeron").with("wait", "spin").with("term", "64k").with("mtu", "4k");
    }
}
