package org.ipclab.core.internal;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The watchdog runs each expiry at its time, never before, and otherwise stays asleep: its thread's
 * context switches (from /proc) show whether it woke. The old one ticked every 10 ms whatever was
 * armed, 100 wake-ups a second in every JVM.
 */
class DeadlineTest {

    @Test
    void aDeadlineFiresAtItsTimeAndNotBefore() throws Exception {
        CountDownLatch fired = new CountDownLatch(1);
        try (Deadline d = new Deadline(fired::countDown)) {
            long start = System.nanoTime();
            d.arm(Duration.ofMillis(200));
            assertTrue(fired.await(10, TimeUnit.SECONDS), "a 200 ms deadline did not fire within 10 s");
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(tookMs >= 200, "fired after " + tookMs + " ms, before its 200 ms");
            assertTrue(d.expired());
            assertFalse(d.disarm(), "disarm must report that the call timed out");
        }
    }

    @Test
    void aDisarmedDeadlineDoesNotFire() throws Exception {
        CountDownLatch fired = new CountDownLatch(1);
        try (Deadline d = new Deadline(fired::countDown)) {
            d.arm(Duration.ofMillis(50));
            assertTrue(d.disarm());
            assertFalse(fired.await(300, TimeUnit.MILLISECONDS), "a disarmed deadline fired");
        }
    }

    @Test
    void anEarlierDeadlineWakesAWatchdogAsleepUntilALaterOne() throws Exception {
        CountDownLatch late = new CountDownLatch(1);
        CountDownLatch early = new CountDownLatch(1);
        try (Deadline far = new Deadline(late::countDown); Deadline near = new Deadline(early::countDown)) {
            far.arm(Duration.ofSeconds(60));
            Thread.sleep(100); // the watchdog has seen it and sleeps until it is due
            near.arm(Duration.ofMillis(100));
            assertTrue(early.await(10, TimeUnit.SECONDS), "a 100 ms deadline armed after a 60 s one did not fire within 10 s");
            assertEquals(1, late.getCount(), "the 60 s deadline fired early");
            assertTrue(far.disarm());
        }
    }

    @Test
    void theWatchdogSleepsWhileNothingIsArmed() throws Exception {
        try (Deadline idle = new Deadline(() -> { })) {
            idle.arm(Duration.ofMillis(1));
            Thread.sleep(50); // let it fire, so the watchdog has nothing left
            long before = watchdogSwitches();
            Thread.sleep(500);
            long woke = watchdogSwitches() - before;
            assertTrue(woke <= 2, "the watchdog woke " + woke + " times in 500 ms with nothing armed");
        }
    }

    @Test
    void aLoopOfCallsReArmedEachTimeDoesNotWakeTheWatchdog() throws Exception {
        try (Deadline call = new Deadline(() -> { })) {
            call.arm(Duration.ofSeconds(10));
            assertTrue(call.disarm());
            Thread.sleep(50);
            long before = watchdogSwitches();
            long end = System.nanoTime() + 500_000_000L;
            while (System.nanoTime() - end < 0) { // a blocking call's arm and disarm, as a ping-pong makes them
                call.arm(Duration.ofSeconds(10));
                Thread.sleep(1);
                assertTrue(call.disarm());
            }
            long woke = watchdogSwitches() - before;
            assertTrue(woke <= 2, "the watchdog woke " + woke + " times in 500 ms of 10 s deadlines armed and disarmed");
        }
    }

    /** Voluntary + involuntary context switches of the watchdog thread, from /proc/self/task. */
    private static long watchdogSwitches() throws IOException {
        new Deadline(() -> { }).close(); // the watchdog has started
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String comm;
                try {
                    comm = Files.readString(task.resolve("comm")).trim();
                } catch (IOException gone) {
                    continue; // the thread ended while we listed
                }
                if (!"ipclab-deadline-watchdog".startsWith(comm)) continue;
                long switches = 0;
                for (String line : Files.readAllLines(task.resolve("status"))) {
                    if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                        switches += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                    }
                }
                return switches;
            }
        }
        throw new AssertionError("no ipclab-deadline-watchdog thread in /proc/self/task");
    }
}
