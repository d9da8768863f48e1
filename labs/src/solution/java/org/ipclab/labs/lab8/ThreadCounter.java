package org.ipclab.labs.lab8;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;

/** Lab 8 reference solution, task 2. */
public final class ThreadCounter {
    private ThreadCounter() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        int k = Integer.parseInt(args[0]);
        CountDownLatch running = new CountDownLatch(k);
        for (int i = 0; i < k; i++) {
            Thread t = new Thread(() -> {
                running.countDown();
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "lab8-worker-" + i);
            t.setDaemon(true);
            t.start();
        }
        running.await();
        System.out.println("ready pid " + ProcessHandle.current().pid());
        System.out.flush();
        while (System.in.read() != -1) {
            // wait for the end of input
        }
    }
}
