package org.ipclab.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.ipclab.core.BadInputException;
import org.junit.jupiter.api.Test;

class PlacementAxisTest {
    @Test
    void theKernelsCpuListFormatIsRead() {
        assertEquals(List.of(0, 1, 2, 3, 6, 8, 9), PlacementAxis.cpuList("0-3,6,8-9\n"));
        assertEquals(List.of(1), PlacementAxis.cpuList(" 1"));
    }

    @Test
    void crossCpuSkipsSmtSiblings() {
        // CPUs 0/2 and 1/3 are hyper-threads of one core each: 0 and 1 are on different cores.
        assertArrayEquals(new int[] {0, 1}, PlacementAxis.crossPair(List.of(0, 1, 2, 3), cpu -> cpu % 2 == 0 ? List.of(0, 2) : List.of(1, 3)));
        // 0 and 1 siblings: the pair must be 0 and 2.
        assertArrayEquals(new int[] {0, 2}, PlacementAxis.crossPair(List.of(0, 1, 2, 3), cpu -> cpu < 2 ? List.of(0, 1) : List.of(2, 3)));
        // on this machine's CPUs, a cross-cpu choice is a real placement
        if (PlacementAxis.allowedCpus().size() >= 2 && PlacementAxis.siblings(PlacementAxis.allowedCpus().get(0)).size() == 1) {
            assertTrue(PlacementAxis.parse("cross-cpu").get(0).label().startsWith("cross-cpu "));
        }
    }

    @Test
    void crossCpuIsRefusedWithTheReasonWhenThereIsNoSuchPair() {
        BadInputException e = assertThrows(BadInputException.class, () -> PlacementAxis.cross(List.of(0, 1), cpu -> List.of(0, 1)));
        assertTrue(e.getMessage().contains("SMT siblings"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> PlacementAxis.cross(List.of(3), cpu -> List.of(3)));
        assertTrue(e.getMessage().contains("[3]"), e.getMessage());
    }

    @Test
    void anUnknownPlacementNamesTheChoices() {
        BadInputException e = assertThrows(BadInputException.class, () -> PlacementAxis.parse("sideways"));
        assertTrue(e.getMessage().contains("same-cpu, cross-cpu, both, unpinned"), e.getMessage());
        assertEquals(1, PlacementAxis.parse("unpinned").size());
    }

    /**
     * A default run (no mechanism named) over a size some mechanism cannot carry: each placement
     * narrows the matrix, and a narrowed run must still say "skipped" for that mechanism, not
     * refuse the whole run as if the user had asked for it (the README's main command did).
     */
    @Test
    void aPlacementThatNarrowsADefaultRunKeepsOversizedMechanismsAsNotes() {
        BenchConfig all = BenchConfig.builder().sizes(java.util.List.of(1 << 20)).build();
        BenchConfig narrowed = all.onlyMechanisms(all.mechanisms());
        Benchmark b = new Benchmark(new Runner(NanoClock.SYSTEM, () -> 0L, Runner::newHistogram), Progress.NONE);
        b.plan(narrowed);
        org.junit.jupiter.api.Assertions.assertThrows(org.ipclab.core.BadInputException.class,
                () -> BenchConfig.builder().mechanisms(all.mechanisms()).sizes(java.util.List.of(1 << 20)).build(),
                "asked for by name, an oversized mechanism is refused");
    }
}
