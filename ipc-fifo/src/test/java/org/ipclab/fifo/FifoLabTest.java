package org.ipclab.fifo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jnr.constants.platform.Errno;
import org.ipclab.core.Names;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The facts {@code ipc demo fifo} prints, checked on real FIFOs. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FifoLabTest {
    @TempDir
    Path dir;

    @Test
    void mkfifoMakesAFileOfTypePWithMode0600() throws Exception {
        Path fifo = dir.resolve("f");
        FifoFiles.create(fifo);
        assertTrue(FifoFiles.isFifo(fifo));
        assertEquals(0600, FifoFiles.mode(fifo) & 0777);
        assertTrue(FifoLab.listing(fifo).startsWith("prw-------"), FifoLab.listing(fifo));
    }

    @Test
    void aNonBlockingWriteOpenWithoutAReaderFailsWithEnxio() throws Exception {
        Path fifo = dir.resolve("f");
        FifoFiles.create(fifo);
        FifoLab.NonBlockingOpens r = FifoLab.nonBlockingOpens(fifo);
        assertEquals(Errno.ENXIO.intValue(), r.writeOpenErrno());
        assertTrue(r.readOpenSucceeded());
        assertEquals(0, r.readWithoutWriter(), "no writer: end of file");
    }

    @Test
    void openBlocksUntilAnUnrelatedProcessOpensTheOtherEnd() throws Exception {
        Path fifo = dir.resolve("f");
        FifoFiles.create(fifo);
        FifoLab.Rendezvous r = FifoLab.blockingOpen(fifo, 300);
        assertTrue(r.received().equals("hello from pid " + r.partnerPid()), r.received());
        assertTrue(r.openMillis() >= 150, "open returned before the partner came: " + r.openMillis() + " ms");
    }

    @Test
    void aFifoHoldsWhatFGetPipeSzSaysWhileItsSizeStaysZero() throws Exception {
        Path fifo = dir.resolve("f");
        FifoFiles.create(fifo);
        long[] cap = FifoLab.capacity(fifo, 0);
        assertEquals(cap[1], cap[0]);
        assertEquals(0, cap[2]);
        long[] big = FifoLab.capacity(fifo, 128 * 1024);
        assertEquals(128 * 1024, big[1]);
        assertEquals(big[1], big[0]);
    }

    @Test
    void anUnlinkedFifoStillCarriesData() throws Exception {
        Path fifo = dir.resolve("f");
        FifoFiles.create(fifo);
        assertEquals("still here", FifoLab.unlinkedStillWorks(fifo));
        assertFalse(Files.exists(fifo));
    }

    @Test
    void theDemoRunsEveryStepHoldsAndNothingIsLeft() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int rc = new FifoDemo().run(List.of("--delay", "200ms"), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, text);
        assertTrue(text.contains("prw-------") && text.contains("ENXIO"), text);
        try (var s = Files.newDirectoryStream(Names.tempRoot(), "ipclab-" + ProcessHandle.current().pid() + "-fifo-demo-*")) {
            assertFalse(s.iterator().hasNext(), "demo directory left behind");
        }
    }
}
