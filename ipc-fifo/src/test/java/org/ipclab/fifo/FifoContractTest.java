package org.ipclab.fifo;

import org.ipclab.core.ChannelSpec;
import org.ipclab.core.contract.ChannelContract;

class FifoContractTest extends ChannelContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("fifo");
    }
}
