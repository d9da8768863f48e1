package org.ipclab.pipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jnr.constants.platform.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The facts {@code ipc demo pipe} prints, checked on real pipes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PipeLabTest {

    @Test
    void measuredCapacityEqualsFGetPipeSz() throws Exception {
        long[] def = PipeLab.measureCapacity(0);
        assertEquals(def[1], def[0], "bytes that fit in a default pipe vs F_GETPIPE_SZ");
        long[] big = PipeLab.measureCapacity(256 * 1024);
        assertEquals(256 * 1024, big[1], "F_GETPIPE_SZ after F_SETPIPE_SZ 256 KiB");
        assertEquals(big[1], big[0], "bytes that fit after F_SETPIPE_SZ");
    }

    @Test
    void writesOfAtMostPipeBufNeverTear() throws Exception {
        for (int size : new int[] {1, 512, PipeLab.PIPE_BUF}) {
            PipeLab.Tearing t = PipeLab.atomicity(4, size, 300);
            assertEquals(0, t.tornRecords(), size + "-byte records torn");
            assertEquals((long) size * t.records(), t.bytes(), "every byte arrived");
        }
    }

    /**
     * The counter does see tears: a 256 KiB write cannot fit a 64 KiB pipe, so each writer must
     * sleep several times mid-write while three others wait for room (nearly every record tears;
     * zero out of 80 would mean the counter is broken).
     */
    @Test
    void recordsLargerThanThePipeDoTear() throws Exception {
        // Tearing needs two writers to be scheduled inside each other's 256 KiB write: likely, not
        // certain on a busy 2-CPU machine, so a few attempts are allowed before calling it broken.
        PipeLab.Tearing t = null;
        for (int attempt = 0; attempt < 5 && (t == null || t.tornRecords() == 0); attempt++) {
            t = PipeLab.atomicity(4, 256 * 1024, 20);
            assertEquals(256L * 1024 * t.records(), t.bytes(), "every byte arrived even when torn");
        }
        assertTrue(t.tornRecords() > 0, "no record of 256 KiB was torn in 5 attempts: " + t);
    }

    @Test
    void endOfFileComesOnlyWhenTheLastWriterCloses() throws Exception {
        PipeLab.EndOfFile r = PipeLab.endOfFile();
        assertEquals("hello", r.firstRead());
        assertEquals(Errno.EAGAIN.intValue(), r.errnoWhileAWriterRemains(), "a writer remains: no data yet, not EOF");
        assertEquals(0, r.readAfterLastWriterClosed(), "read returns 0 after the last writer closed");
    }

    @Test
    void writingWithoutAReaderFailsWithEpipeAndTheJvmLives() throws Exception {
        assertEquals(Errno.EPIPE.intValue(), PipeLab.writeWithoutReader());
        assertTrue(PipeLab.sigpipeDisposition().startsWith("caught") || PipeLab.sigpipeDisposition().startsWith("ignored"),
                PipeLab.sigpipeDisposition());
    }

    @Test
    void posixSpawnpChildGetsOnlyItsPipes() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/tr")) || Files.isExecutable(Path.of("/bin/tr")), "needs tr");
        PipeSpawn.Result r = PipeSpawn.run(List.of("tr", "a-z", "A-Z"), "abc\n");
        assertEquals("ABC\n", r.output());
        assertEquals(0, r.exitStatus());
        assertTrue(r.inheritable() > 0, "a JVM has descriptors without O_CLOEXEC");
        assertTrue(r.childDescriptors().get(0).startsWith("0 -> pipe:") && r.childDescriptors().get(1).startsWith("1 -> pipe:"),
                r.childDescriptors().toString());
        assertTrue(r.childDescriptors().size() <= 3, "the child inherited more than 0, 1, 2: " + r.childDescriptors());
    }

    @Test
    void theDemoRunsAndEveryStepHolds() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int rc = new PipeDemo().run(List.of("--pipe-size", "256k", "--records", "50"), out);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, text);
        assertTrue(text.contains("parent -> child") && text.contains("child -> parent"), text);
        assertTrue(text.contains("262,144 bytes fit"), text);
        assertTrue(text.contains("EPIPE"), text);
    }
}
