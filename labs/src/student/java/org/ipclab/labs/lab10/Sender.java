package org.ipclab.labs.lab10;

import java.io.IOException;

/** Lab 10, task 3: queueing signals that carry a value. */
public final class Sender {
    private Sender() {
    }

    /**
     * Queues {@code signo} once per value, in order, each carrying its value, to thread {@code tid} of process
     * {@code pid} (the given SigQueue.queue).
     *
     * @throws IllegalArgumentException for pid 1 or below (init, groups, everybody: kill(2)) and tid 0 or below
     * @throws IOException when the kernel refuses one (no such process or thread, a full queue), naming the errno
     */
    public static void send(long pid, long tid, int signo, int... values) throws IOException {
        // TODO(lab10) task 3
        throw new UnsupportedOperationException("TODO(lab10): Sender.send");
    }
}
