package org.ipclab.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The fingerprint's "cores" says what the machine has, not only what a pinned runner may use. */
class EnvironmentTest {

    @Test
    void kernelCpuListsAreCounted() {
        assertEquals(2, Environment.countCpus("0-1"));
        assertEquals(1, Environment.countCpus("0"));
        assertEquals(7, Environment.countCpus("0-3,8,10-11\n"));
        assertEquals(-1, Environment.countCpus("unknown"));
    }

    @Test
    void aPinnedRunnerStillReportsTheMachinesCpus() {
        assertEquals("2", Environment.cores(2, "0-1"));
        assertEquals("2 online, 1 usable by this process (its CPU affinity)", Environment.cores(1, "0-1"));
        assertEquals("1", Environment.cores(1, "unknown"), "no CPU list: what the JVM sees");
    }
}
