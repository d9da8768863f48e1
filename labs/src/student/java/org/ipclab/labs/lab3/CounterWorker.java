package org.ipclab.labs.lab3;

import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

import org.ipclab.core.IpcTimeoutException;
import org.ipclab.labs.support.Layout;
import org.ipclab.labs.support.ShmSemaphore;

/**
 * Given: the second (and third) process of lab 3. It maps the segment file by its path and runs one of
 * your methods on it. {@code CounterWorker PATH racy|locked|cas N} or {@code CounterWorker PATH consume TIMEOUT_MS}
 * (prints the value; exit code 3 when nothing came in time).
 */
public final class CounterWorker {
    private CounterWorker() {
    }

    public static void main(String[] args) throws Exception {
        MappedByteBuffer shared;
        try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            shared = ch.map(FileChannel.MapMode.READ_WRITE, 0, Layout.SIZE);
        }
        String mode = args[1];
        long n = Long.parseLong(args[2]);
        if (!mode.equals("consume")) {
            // Start line: without it the first JVM may be done before the second has even started.
            Layout.LONG.getAndAdd(shared, Layout.START, 1L);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while ((long) Layout.LONG.getVolatile(shared, Layout.START) < 2 && System.nanoTime() < deadline) Thread.onSpinWait();
        }
        switch (mode) {
            case "racy": Counters.racyIncrement(shared, (int) n); break;
            case "locked": Counters.lockedIncrement(shared, (int) n, new ShmSemaphore(shared, Layout.MUTEX)); break;
            case "cas": Counters.casIncrement(shared, (int) n); break;
            case "consume":
                try {
                    System.out.println(Handoff.consume(shared, Duration.ofMillis(n)));
                } catch (IpcTimeoutException e) {
                    System.err.println("consume: " + e.getMessage());
                    System.exit(3);
                }
                break;
            default: throw new IllegalArgumentException("mode racy|locked|cas|consume, not " + mode);
        }
    }
}
