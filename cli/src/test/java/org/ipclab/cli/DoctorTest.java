package org.ipclab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.ChannelProvider;
import org.ipclab.core.Providers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DoctorTest {
    @Test
    void passesHereWithASmokeRunOfEveryAvailableMechanism() throws Exception {
        CliTest.Run r = Ipc.run(Map.of(), "doctor", "--duration", "200ms");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("doctor: all checks passed"), r.out());
        // Availability is the doctor's JVM's (it has the jar's flags; this test JVM may lack Chronicle's).
        for (ChannelProvider p : Providers.all()) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith("ok    " + p.name() + " ") && l.contains("smoke run")
                            || l.startsWith("warn  " + p.name() + " ") && l.contains("unavailable here")),
                    "a line for " + p.name() + ": " + r.out());
        }
        for (String check : List.of("msg_max", "msgsize_max", "pipe-max-size", "RLIMIT_MSGQUEUE", "ulimit -n", "/dev/shm", "/dev/mqueue",
                "jnr-posix native", "Chronicle Queue", "cc ", "perf ", "leftovers")) {
            assertTrue(r.out().contains(check), check + " missing: " + r.out());
        }
    }

    @Test
    void aLimitTooLowIsAFailingLineAndExitOne() throws Exception {
        CliTest.Run r = Ipc.run(Map.of(), List.of("ulimit -n 128"), "doctor", "--no-smoke");
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("FAIL  ulimit -n") && l.contains("128")), r.out());
        assertTrue(r.out().contains("1 check(s) FAILED"), r.out());
    }
}
