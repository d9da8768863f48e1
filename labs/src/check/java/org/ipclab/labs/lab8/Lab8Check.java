package org.ipclab.labs.lab8;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.ipclab.labs.Checks;
import org.ipclab.labs.Jvm;
import org.ipclab.labs.support.Layout;
import org.ipclab.labs.support.ShmSemaphore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Lab 8 check. Tasks and hints: {@link org.ipclab.labs.LabCatalog}. */
class Lab8Check {

    @AfterEach
    void stopChildren() {
        Checks.stopChildren();
    }

    @Test
    @Timeout(30)
    void task1_theSemaphoreWorksBetweenThreadsToo() throws Exception {
        int n = 50_000 + new Random().nextInt(100_000); // another n each run
        ByteBuffer shared = ByteBuffer.allocateDirect(Layout.SIZE);
        ShmSemaphore mutex = new ShmSemaphore(shared, Layout.MUTEX);
        mutex.init(1);
        int before = Thread.activeCount();
        long counter = Threads.lockedCount(shared, mutex, n);
        assertEquals(2L * n, counter, "lost " + (2L * n - counter) + " updates");
        assertEquals(2L * n, mutex.acquires(), "P (acquire) operations on the mutex: one per increment is " + 2L * n
                + "; the counter must be protected by the semaphore, not by another atomic operation");
        assertEquals(2L * n, mutex.releases(), "V (release) operations on the mutex (one per acquire)");
        assertEquals(1, mutex.value(), "the mutex must end free (1)");
        assertTrue(Thread.activeCount() <= before, "lockedCount returned while its threads still run: join them");
    }

    @Test
    @Timeout(30)
    void task2_theKernelListsEveryThreadOfAProcess() throws Exception {
        int k = 2 + new Random().nextInt(5);
        Process p = new ProcessBuilder(Jvm.command("org.ipclab.labs.lab8.ThreadCounter", String.valueOf(k))).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String ready = out.readLine();
        if (ready == null) {
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            String todo = err.lines().filter(l -> l.contains("TODO(")).findFirst().orElse(null);
            if (todo != null) throw new UnsupportedOperationException(todo.substring(todo.indexOf("TODO(")));
            throw new AssertionError("ThreadCounter ended without 'ready pid N'; its stderr: " + err.lines().findFirst().orElse("(empty)"));
        }
        assertEquals("ready pid " + p.pid(), ready, "ThreadCounter's first line");
        // The check's own look: every task of the process has the process's id as its thread group id.
        long workers = 0;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(p.pid()), "task"))) {
            for (Path t : tasks.toList()) {
                String status = Files.readString(t.resolve("status"));
                assertTrue(status.contains("\nTgid:\t" + p.pid() + "\n"), t + " belongs to another process");
                if (Files.readString(t.resolve("comm")).startsWith("lab8-worker-")) workers++;
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // a JVM thread ended while we looked: the count of workers is what matters
        }
        assertEquals(k, workers, "threads named lab8-worker-* in /proc/" + p.pid() + "/task (ThreadCounter " + k + ")");
        List<String> names = Threads.threadNames(p.pid());
        assertEquals(k, names.stream().filter(s -> s.startsWith("lab8-worker-")).count(),
                "Threads.threadNames(" + p.pid() + ") should list the " + k + " workers among " + names.size() + " names: " + names);
        assertTrue(names.size() > k, "a JVM has more threads than yours (main, GC, compiler...): " + names);
        p.getOutputStream().close();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "ThreadCounter did not exit when its input ended");
    }
}
