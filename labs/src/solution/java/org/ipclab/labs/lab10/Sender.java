package org.ipclab.labs.lab10;

import java.io.IOException;

import org.ipclab.labs.support.SigQueue;

/** Lab 10 reference solution, task 3. */
public final class Sender {
    private Sender() {
    }

    public static void send(long pid, long tid, int signo, int... values) throws IOException {
        if (pid <= 1) throw new IllegalArgumentException("refusing pid " + pid + " (1 is init; 0 and below are groups or everyone)");
        if (tid <= 0) throw new IllegalArgumentException("no thread id " + tid);
        for (int v : values) {
            int rc = SigQueue.queue(pid, tid, signo, v);
            if (rc < 0) throw new IOException("queueing signal " + signo + " to " + pid + "/" + tid + " failed: errno " + -rc);
        }
    }
}
