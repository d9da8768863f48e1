package org.ipclab.labs.lab3;

import java.util.ArrayList;
import java.util.List;

import org.ipclab.labs.Jvm;
import org.ipclab.labs.support.Layout;
import org.ipclab.labs.support.ShmSemaphore;

/**
 * Given: {@code ./ipc lab run 3 Race racy|locked|cas N} — two processes increment the shared counter
 * N times each; prints what the counter should be, what it is, and how long it took.
 */
public final class Race {
    private Race() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "racy";
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        try (Segment seg = Segment.create(Layout.SIZE)) {
            new ShmSemaphore(seg.buffer(), Layout.MUTEX).init(1);
            long t0 = System.nanoTime();
            List<Process> workers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                workers.add(new ProcessBuilder(Jvm.command(CounterWorker.class, seg.path().toString(), mode, String.valueOf(n)))
                        .inheritIO().start());
            }
            for (Process p : workers) {
                if (p.waitFor() != 0) System.out.println("a worker failed (exit " + p.exitValue() + ")");
            }
            long counter = (long) Layout.LONG.getVolatile(seg.buffer(), Layout.COUNTER);
            System.out.printf("%s: expected %d, counter is %d, lost %d updates (%.1f%%), %d ms%n", mode, 2L * n, counter,
                    2L * n - counter, 100.0 * (2L * n - counter) / (2L * n), (System.nanoTime() - t0) / 1_000_000);
        }
    }
}
