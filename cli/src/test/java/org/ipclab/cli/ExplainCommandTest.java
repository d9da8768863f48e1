package org.ipclab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** ipc explain against a real peer: the sentences carry the measured counts, bad input is one line. */
class ExplainCommandTest {
    @Test
    void aPipeRoundTripIsToldFromItsCounters() throws Exception {
        CliTest.Run r = CliTest.ipc("explain", "pipe", "--duration", "300ms", "--warmup", "100ms", "--baseline", "none");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("pipe, 64 B round trip"), r.all());
        // perf may be missing where this runs: then the sentence says so instead of a count
        assertTrue(r.out().contains("system calls per round trip") || r.out().contains("system calls not counted"), r.all());
        assertTrue(r.out().contains("context switches"), r.all());
        assertTrue(r.out().contains("placement (from /proc)"), r.all());
    }

    @Test
    void badInputIsOneLineWithExitTwo() throws Exception {
        CliTest.Run r = CliTest.ipc("explain", "no-such-mechanism");
        assertEquals(2, r.exit(), r.all());
        assertTrue(r.err().contains("no-such-mechanism"), r.all());
        assertFalse(r.all().contains("\tat "), r.all());
        r = CliTest.ipc("explain", "pipe", "--baseline", "sometimes");
        assertEquals(2, r.exit(), r.all());
        assertTrue(r.err().contains("'sometimes'"), r.all());
    }
}
