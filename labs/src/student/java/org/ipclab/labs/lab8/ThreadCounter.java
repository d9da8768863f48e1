package org.ipclab.labs.lab8;

import java.io.IOException;

/**
 * Lab 8, task 2: {@code ThreadCounter K} starts K threads named {@code lab8-worker-0} ..
 * {@code lab8-worker-<K-1>} that wait, prints {@code ready pid N} once they all run, and exits when
 * its standard input ends. Look at it from outside: {@code ls /proc/N/task}, {@code ps -L -o pid,tid,comm -p N}.
 */
public final class ThreadCounter {
    private ThreadCounter() {
    }

    public static void main(String[] args) throws IOException {
        int k = Integer.parseInt(args[0]);
        // TODO(lab8) task 2: start the K named threads (daemon threads may simply sleep), print the ready line,
        //   then read System.in until it ends.
        throw new UnsupportedOperationException("TODO(lab8): ThreadCounter.main");
    }
}
