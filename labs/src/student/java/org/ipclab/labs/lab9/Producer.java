package org.ipclab.labs.lab9;

/**
 * Lab 9, task 4: {@code Producer NAME K} creates the queue NAME (room for K messages of 64 bytes), sends
 * "message 0" .. "message K-1" (priority 0), prints {@code sent K} and exits. It does NOT remove the queue:
 * the point is what happens to it after its creator is gone.
 */
public final class Producer {
    private Producer() {
    }

    public static void main(String[] args) throws Exception {
        // TODO(lab9) task 4: use your Queues; close the descriptor, do not unlink.
        throw new UnsupportedOperationException("TODO(lab9): Producer.main");
    }
}
