package org.ipclab.labs.lab10;

import java.io.IOException;

import org.ipclab.labs.support.SigQueue;

/** Lab 10 mutant: sends no value, task 3. */
public final class Sender {
    private Sender() {
    }

    public static void send(long pid, long tid, int signo, int... values) throws IOException {
        if (pid <= 1) throw new IllegalArgumentException("refusing pid " + pid + " (1 is init; 0 and below are groups or everyone)");
        if (tid <= 0) throw new IllegalArgumentException("no thread id " + tid);
        for (int v : values) {
            int rc = SigQueue.queue(pid, tid, signo, 0); // Wrong: like kill(2), no value
            if (rc < 0) throw new IOException("queueing signal " + signo + " to " + pid + "/" + tid + " failed: errno " + -rc);
        }
    }
}
