package org.ipclab.fifo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ipclab.core.ChannelSpec;
import org.ipclab.core.io.IoRoute;
import org.ipclab.testkit.ChannelContract;

class FifoContractTest extends ChannelContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("fifo").with(IoRoute.OPTION, "nio");
    }

    /** The server's private directory is 0700: the other user's client is told so at once, not "no FIFOs appeared" at its timeout. */
    @Override
    protected void checkForeignClientOutcome(String outcome) {
        assertTrue(outcome.contains("may not search") && !outcome.contains("timed out"), outcome);
    }
}
