package org.ipclab.labs.lab10;

import java.io.IOException;
import java.util.List;

/** Lab 10, task 4: the kernel's view of pending signals. */
public final class Pending {
    private Pending() {
    }

    /**
     * The signals pending for thread {@code tid} of process {@code pid}, in increasing order, as the kernel shows
     * them in /proc/PID/task/TID/status (proc(5)): a hexadecimal mask, bit N-1 for signal N. Which of the
     * masks there is the thread's own, and which the whole process's?
     */
    public static List<Integer> of(long pid, long tid) throws IOException {
        // TODO(lab10) task 4
        throw new UnsupportedOperationException("TODO(lab10): Pending.of");
    }
}
