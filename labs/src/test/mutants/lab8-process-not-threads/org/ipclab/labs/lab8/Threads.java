package org.ipclab.labs.lab8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.ipclab.core.IpcTimeoutException;
import org.ipclab.labs.support.Layout;
import org.ipclab.labs.support.ShmSemaphore;

/**
 * Lab 8 MUTANT (wrong on purpose, see LabsSelfTest): reads the process's name, not its threads'. Lab 8: lab 3's race and lab 3's semaphore, between two THREADS of one process instead of two
 * processes; and the kernel's view of a process's threads.
 *
 * <p>{@code ./ipc lab run 8 Threads racy 1000000} shows the race between threads.
 */
public final class Threads {
    private Threads() {
    }

    /** Given: two threads, each adding 1 to the counter {@code n} times with a plain read and write. */
    public static long racyCount(ByteBuffer shared, int n) throws InterruptedException {
        Runnable work = () -> {
            for (int i = 0; i < n; i++) {
                long v = (long) Layout.LONG.get(shared, Layout.COUNTER);
                Layout.LONG.set(shared, Layout.COUNTER, v + 1);
            }
        };
        Thread a = new Thread(work, "lab8-a");
        Thread b = new Thread(work, "lab8-b");
        a.start();
        b.start();
        a.join();
        b.join();
        return (long) Layout.LONG.getVolatile(shared, Layout.COUNTER);
    }

    /**
     * Task 1: like {@link #racyCount}, but every increment is protected by {@code mutex} (lab 3's
     * semaphore, initialised to 1 by the caller). Returns the counter once both threads have finished.
     */
    public static long lockedCount(ByteBuffer shared, ShmSemaphore mutex, int n) throws InterruptedException, IpcTimeoutException {
        Duration timeout = Duration.ofSeconds(5);
        IpcTimeoutException[] failed = new IpcTimeoutException[1];
        Runnable work = () -> {
            try {
                for (int i = 0; i < n; i++) {
                    mutex.acquire(timeout);
                    try {
                        long v = (long) Layout.LONG.get(shared, Layout.COUNTER);
                        Layout.LONG.set(shared, Layout.COUNTER, v + 1);
                    } finally {
                        mutex.release();
                    }
                }
            } catch (IpcTimeoutException e) {
                failed[0] = e;
            }
        };
        Thread a = new Thread(work, "lab8-a");
        Thread b = new Thread(work, "lab8-b");
        a.start();
        b.start();
        a.join();
        b.join();
        if (failed[0] != null) throw failed[0];
        return (long) Layout.LONG.getVolatile(shared, Layout.COUNTER);
    }

    /**
     * Task 2: the names of the threads of process {@code pid}, as the kernel knows them. To the kernel a
     * thread is a task: each has its own id under /proc/PID/task, and its name in that task's comm file.
     */
    public static List<String> threadNames(long pid) throws IOException {
        List<String> names = new ArrayList<>();
        names.add(Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip());
        return names;
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "racy";
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        ByteBuffer shared = ByteBuffer.allocateDirect(Layout.SIZE); // no file, no mapping: threads share the heap and this
        ShmSemaphore mutex = new ShmSemaphore(shared, Layout.MUTEX);
        mutex.init(1);
        long t0 = System.nanoTime();
        long counter = mode.equals("locked") ? lockedCount(shared, mutex, n) : racyCount(shared, n);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("%s: expected %d, counter is %d, lost %d updates, %d ms (P=%d V=%d)%n", mode, 2L * n, counter,
                2L * n - counter, ms, mutex.acquires(), mutex.releases());
    }
}
