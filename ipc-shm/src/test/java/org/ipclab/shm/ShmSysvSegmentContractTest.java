package org.ipclab.shm;

import org.ipclab.core.ChannelSpec;
import org.ipclab.testkit.ChannelContract;

/**
 * The ring in a System V segment (shmget/shmat, removed with IPC_RMID once both ends are attached),
 * woken by futex(2): a shared futex is keyed by the segment's memory, not by an address, so it
 * works across the two processes' different attach addresses.
 */
class ShmSysvSegmentContractTest extends ChannelContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("shm").with("segment", "sysv").with("wait", "futex");
    }
}
