package org.ipclab.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        assertEquals(0, ShmRingTest.countOurs(), "the demo removed its file and semaphores");
    }

    @Test
    void badArgumentsAreOneLineErrors() {
        BadInputException e = assertThrows(BadInputException.class, () -> demo().run(List.of("--n", "0"), System.out));
        assertTrue(e.getMessage().contains("--n 0"), e.getMessage());
        assertThrows(BadInputException.class, () -> demo().run(List.of("--bogus"), System.out));
    }
}
