package org.ipclab.aeron;

import org.ipclab.core.ChannelSpec;
import org.ipclab.testkit.ChannelContract;

/**
 * aeron:ipc with the defaults a benchmark uses (8 MiB terms: a 1 MiB message is 763 fragments of
 * Aeron's 1408-byte MTU) and Agrona's BackoffIdleStrategy: two spinning JVMs starve each other on
 * a busy 2-CPU machine.
 */
class AeronParkContractTest extends ChannelContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("aeron").with("wait", "park");
    }
}
