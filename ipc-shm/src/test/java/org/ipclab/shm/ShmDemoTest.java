package org.ipclab.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.BadInputException;
import org.ipclab.core.Demo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ShmDemoTest {
    private static Demo demo() {
        for (Demo d : ServiceLoader.load(Demo.class)) if (d.name().equals("shm")) return d;
        throw new AssertionError("no demo 'shm' registered");
    }

    @Test
    void theRaceRunsBetweenTwoProcessesAndTheSynchronisedRoundsAreExact() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int rc = demo().run(List.of("--n", "20000"), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, out);
        assertTrue(out.contains("/dev/shm/sem.ipclab-"), "shows the sem.* files:\n" + out);
        assertTrue(out.contains("rw-s"), "shows the shared mapping from /proc/<pid>/maps:\n" + out);
        assertEquals(2, out.split("Exact\\.", -1).length - 1, "semaphore and CAS rounds are exact:\n" + out);
        assertTrue(out.contains("read 42"), "the ordered consumer read the producer's value:\n" + out);
        assertTrue(out.contains("read 42 and exited"), "the System V consumer read the producer's value too:\n" + out);
        assertTrue(out.contains("ipcs -m") && out.contains("ipcs -s") && out.contains("/proc/sysvipc/shm") && out.contains("/proc/sysvipc/sem"),
                "all three families shown:\n" + out);
        assertTrue(out.lines().anyMatch(l -> l.matches("\\s+0x00000000\\s+\\d+\\s+\\S+\\s+600\\s+4096\\s+2\\s+dest\\s*")),
                "marked for destruction with both attached, in ipcs -m:\n" + out);
        assertTrue(out.contains("no row in /proc/sysvipc/shm any more"), out);
        assertTrue(out.contains("Afterwards: nothing of ours"), out);
        assertEquals(0, ShmRingTest.countOurs(), "the demo removed its file and semaphores");
        long me = ProcessHandle.current().pid();
        for (String l : java.nio.file.Files.readAllLines(SysvShmSweeper.SYSVIPC_SHM)) {
            SysvShmSweeper.Row row = SysvShmSweeper.Row.parse(l);
            assertFalse(row != null && row.cpid() == me && row.size() == ShmDemo.SIZE, "a demo segment of ours is left: " + l);
        }
    }

    @Test
    void badArgumentsAreOneLineErrors() {
        BadInputException e = assertThrows(BadInputException.class, () -> demo().run(List.of("--n", "0"), System.out));
        assertTrue(e.getMessage().contains("--n 0"), e.getMessage());
        assertThrows(BadInputException.class, () -> demo().run(List.of("--bogus"), System.out));
    }
}
