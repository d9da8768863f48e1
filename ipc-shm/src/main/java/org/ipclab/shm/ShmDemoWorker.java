package org.ipclab.shm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * The child process of {@link ShmDemo}: maps the demo's file, says READY, waits for GO, then runs
 * the same loop as the parent. Started as
 * {@code java -cp ... org.ipclab.shm.ShmDemoWorker FILE MODE N MUTEX ORDER}, or for step 5
 * {@code SHMID sysv-consume 1 SEMID ORDER}; exits 0 when done.
 */
public final class ShmDemoWorker {
    private ShmDemoWorker() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[1];
        if (mode.equals("sysv-consume")) {
            sysvConsume(Integer.parseInt(args[0]), Integer.parseInt(args[3]));
            System.exit(0);
        }
        Path file = Path.of(args[0]);
        int n = Integer.parseInt(args[2]);
        MappedByteBuffer buf;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            buf = ch.map(FileChannel.MapMode.READ_WRITE, 0, ShmDemo.SIZE);
        }
        buf.order(ByteOrder.nativeOrder());
        try (NamedSemaphore mutex = NamedSemaphore.open(args[3]); NamedSemaphore order = NamedSemaphore.open(args[4])) {
            ShmLayout.LONG.setVolatile(buf, ShmDemo.READY, 1L);
            while ((long) ShmLayout.LONG.getVolatile(buf, ShmDemo.GO) == 0) Thread.onSpinWait();
            if (mode.equals("consume")) {
                long start = System.nanoTime();
                while (!order.acquire(Duration.ofSeconds(1))) {
                    if (System.nanoTime() - start > 30_000_000_000L) throw new IOException("no sem_post within 30 s");
                }
                long waited = System.nanoTime() - start;
                ShmLayout.LONG.setVolatile(buf, ShmDemo.RESULT_VALUE, (long) ShmLayout.LONG.getAcquire(buf, ShmDemo.SLOT));
                ShmLayout.LONG.setVolatile(buf, ShmDemo.RESULT_WAITED_NANOS, waited);
            } else {
                long start = System.nanoTime();
                count(buf, mode, n, mutex);
                ShmLayout.LONG.setVolatile(buf, ShmDemo.CHILD_LOOP_NANOS, System.nanoTime() - start);
            }
        }
        System.exit(0);
    }

    /** Step 5: attaches the System V segment by its id, says READY, sleeps in semop -1 until the parent's +1, reads SLOT. */
    private static void sysvConsume(int shmid, int semid) throws IOException {
        ByteBuffer buf = SysvShm.attach(shmid, ShmDemo.SIZE).buffer;
        Wakeup order = SysvSemaphores.open(semid).member(0);
        ShmLayout.LONG.setVolatile(buf, ShmDemo.READY, 1L);
        while ((long) ShmLayout.LONG.getVolatile(buf, ShmDemo.GO) == 0) Thread.onSpinWait();
        long start = System.nanoTime();
        while (!order.acquire(Duration.ofSeconds(1))) {
            if (System.nanoTime() - start > 30_000_000_000L) throw new IOException("no semop +1 within 30 s");
        }
        long waited = System.nanoTime() - start;
        ShmLayout.LONG.setVolatile(buf, ShmDemo.RESULT_VALUE, (long) ShmLayout.LONG.getAcquire(buf, ShmDemo.SLOT));
        ShmLayout.LONG.setVolatile(buf, ShmDemo.RESULT_WAITED_NANOS, waited);
    }

    /** Adds 1 to the shared counter {@code n} times, synchronised as {@code mode} says. */
    static void count(ByteBuffer buf, String mode, int n, NamedSemaphore mutex) throws IOException {
        switch (mode) {
            case "nolock":
                for (int i = 0; i < n; i++) {
                    // Opaque: every access really goes to memory (no register caching), but nothing makes load+store atomic.
                    long v = (long) ShmLayout.LONG.getOpaque(buf, ShmDemo.COUNTER);
                    ShmLayout.LONG.setOpaque(buf, ShmDemo.COUNTER, v + 1);
                }
                break;
            case "semaphore":
                for (int i = 0; i < n; i++) {
                    if (!mutex.acquire(Duration.ofSeconds(10))) throw new IOException("sem_wait(mutex) waited 10 s");
                    long v = (long) ShmLayout.LONG.get(buf, ShmDemo.COUNTER);
                    ShmLayout.LONG.set(buf, ShmDemo.COUNTER, v + 1);
                    mutex.release(); // sem_post also orders our store before the next holder's load
                }
                break;
            case "cas":
                for (int i = 0; i < n; i++) {
                    long v;
                    do {
                        v = (long) ShmLayout.LONG.getVolatile(buf, ShmDemo.COUNTER);
                    } while (!ShmLayout.LONG.compareAndSet(buf, ShmDemo.COUNTER, v, v + 1));
                }
                break;
            default:
                throw new IllegalArgumentException("unknown mode " + mode);
        }
    }
}
