package org.ipclab.agrona;

import org.ipclab.core.ChannelSpec;
import org.ipclab.testkit.ChannelContract;

/**
 * Agrona's BackoffIdleStrategy between two processes: on a busy 2-CPU machine two spinning JVMs
 * starve each other, and the spin path is the same ring code with a different idle step
 * ({@link AgronaSpinContractTest} covers it).
 */
class AgronaParkContractTest extends ChannelContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("agrona").with("wait", "park");
    }
}
