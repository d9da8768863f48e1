package org.ipclab.labs.lab3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.Names;
import org.ipclab.labs.Checks;
import org.ipclab.labs.Jvm;
import org.ipclab.labs.Seeded;
import org.ipclab.labs.support.Layout;
import org.ipclab.labs.support.ShmSemaphore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

/** Lab 3 check. Tasks and hints: {@link org.ipclab.labs.LabCatalog}. */
class Lab3Check {
    @RegisterExtension
    final Seeded seeded = new Seeded();
    /** Increments per process, another number each run: a counter that is right by construction fails. */
    private final int n = 80_000 + seeded.random().nextInt(40_001);
    private Path file;

    @AfterEach
    void cleanUp() throws Exception {
        Checks.stopChildren();
        if (file != null) Files.deleteIfExists(file);
    }

    /** The check's own segment for tasks 2-4, so that they do not depend on task 1. */
    private MappedByteBuffer segment() throws Exception {
        file = Path.of("/dev/shm", Names.unique("lab3check"));
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return ch.map(FileChannel.MapMode.READ_WRITE, 0, Layout.SIZE);
        }
    }

    private static String failure(Process p) throws Exception {
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        String todo = err.lines().filter(l -> l.contains("TODO(")).findFirst().orElse(null);
        if (todo != null) throw new UnsupportedOperationException(todo.substring(todo.indexOf("TODO(")));
        return err.lines().filter(l -> !l.isBlank()).findFirst().orElse("(no error output)");
    }

    @Test
    @Timeout(10)
    void task1_segmentLifecycle() throws Exception {
        Set<Path> before = Checks.ipclabFiles();
        Path path;
        try (Segment seg = Segment.create(Layout.SIZE)) {
            path = seg.path();
            assertEquals(Path.of("/dev/shm"), path.getParent(), "the segment must live in /dev/shm");
            assertTrue(path.getFileName().toString().startsWith("ipclab-" + ProcessHandle.current().pid() + "-"),
                    "name it with Names.unique(\"lab3\"), got " + path.getFileName());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)), "permissions of " + path);
            assertTrue(seg.buffer().capacity() >= Layout.SIZE, "mapping smaller than asked");
            Segment other = Segment.open(path, Layout.SIZE); // a second mapping of the same pages
            seg.buffer().putLong(Layout.VALUE, 0x1abL);
            assertEquals(0x1abL, other.buffer().getLong(Layout.VALUE), "a write through one mapping is not seen through another");
            other.close();
            assertTrue(Files.exists(path), "closing a mapping that did not create the segment must not remove it");
        }
        assertFalse(Files.exists(path), path + " still exists after close()");
        Checks.assertNothingLeftBehind(before, "Segment");
    }

    private MappedByteBuffer sharedBuffer;

    private long runTwoWorkers(String mode) throws Exception {
        MappedByteBuffer shared = segment();
        sharedBuffer = shared;
        new ShmSemaphore(shared, Layout.MUTEX).init(1);
        List<Process> workers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            workers.add(new ProcessBuilder(Jvm.command("org.ipclab.labs.lab3.CounterWorker", file.toString(), mode, String.valueOf(n)))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        }
        for (Process p : workers) {
            assertTrue(p.waitFor(40, TimeUnit.SECONDS), "a worker did not finish");
            if (p.exitValue() != 0) throw new AssertionError("a worker failed (exit " + p.exitValue() + "): " + failure(p));
        }
        return (long) Layout.LONG.getVolatile(shared, Layout.COUNTER);
    }

    @Test
    @Timeout(45)
    void task2_semaphoreMakesTheCounterExact() throws Exception {
        long counter = runTwoWorkers("locked");
        assertEquals(2L * n, counter, "lost " + (2L * n - counter) + " updates");
        // Right is not enough: the lesson is the semaphore. It counts its P and V operations itself.
        ShmSemaphore mutex = new ShmSemaphore(sharedBuffer, Layout.MUTEX);
        assertEquals(2L * n, mutex.acquires(), "P (acquire) operations on the MUTEX semaphore: one per increment is "
                + 2L * n + "; the counter must be protected by the semaphore, not by another atomic operation");
        assertEquals(2L * n, mutex.releases(), "V (release) operations on the MUTEX semaphore (one per acquire)");
        assertEquals(1, mutex.value(), "the mutex must end free (1)");
    }

    @Test
    @Timeout(45)
    void task3_compareAndSetMakesTheCounterExact() throws Exception {
        long counter = runTwoWorkers("cas");
        assertEquals(2L * n, counter, "lost " + (2L * n - counter) + " updates");
    }

    @Test
    @Timeout(20)
    void task4_semaphoreOrdersConsumerAfterProducer() throws Exception {
        MappedByteBuffer shared = segment();
        ShmSemaphore ready = new ShmSemaphore(shared, Layout.READY);
        ready.init(0);
        Process consumer = new ProcessBuilder(Jvm.command("org.ipclab.labs.lab3.CounterWorker", file.toString(), "consume", "8000")).start();
        // The producer comes late (1.5 s): a consumer that sleeps a while and reads would see 0.
        Thread.sleep(1500);
        if (!consumer.isAlive()) {
            throw new AssertionError("the consumer returned before anything was produced (exit " + consumer.exitValue() + ", printed '"
                    + new String(consumer.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip() + "'): " + failure(consumer));
        }
        Handoff.produce(shared, 4242);
        long producedAt = System.nanoTime();
        BufferedReader out = new BufferedReader(new InputStreamReader(consumer.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        long ms = (System.nanoTime() - producedAt) / 1_000_000;
        assertTrue(consumer.waitFor(5, TimeUnit.SECONDS), "the consumer did not exit");
        if (line == null) throw new AssertionError("the consumer printed nothing (exit " + consumer.exitValue() + "): " + failure(consumer));
        assertEquals("4242", line.strip(), "the value the consumer read (0: it returned before anything was produced)");
        // The semaphore counts its operations: a consumer that slept and read got the value by luck, not by waiting.
        assertEquals(1, ready.acquires(), "P operations on READY: the consumer never waited on READY (it slept, or read at once)");
        assertTrue(ms < 1000, "the consumer answered " + ms + " ms after the producer: it sleeps instead of waiting on READY");
        assertEquals(0, ready.value(), "READY should be back to 0 (the producer's V, the consumer's P), it is " + ready.value());

        // Nobody produces: the consumer must give up after its timeout, not wait forever and not invent a value.
        Process lonely = new ProcessBuilder(Jvm.command("org.ipclab.labs.lab3.CounterWorker", file.toString(), "consume", "300"))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(lonely.waitFor(8, TimeUnit.SECONDS), "consume(300 ms) with no producer did not return within 8 s");
        assertEquals(3, lonely.exitValue(), "consume with no producer must throw IpcTimeoutException: " + failure(lonely));
    }
}
