package org.ipclab.labs.lab10;

/**
 * Lab 10, tasks 1 and 2: {@code Receiver} blocks, in its main thread, the signals of {@link #signals()}, prints
 * {@code ready pid P tid T} (its process id and the id of the thread that blocks them), then waits for one line on
 * its input. While it waits, senders queue signals to that thread; they stay pending, because they are blocked.
 * When the line comes it takes every pending signal of the set, one per line {@code got SIGNO VALUE}, without
 * waiting for more, and prints {@code end}.
 *
 * <p>Use the given {@link org.ipclab.labs.support.SigQueue}: {@code block}, {@code tid}, {@code take}.
 */
public final class Receiver {
    private Receiver() {
    }

    /** The signals the receiver blocks and takes: USR1, ALRM and the first five real-time signals (SIGRTMIN .. SIGRTMIN+4). */
    public static int[] signals() {
        // TODO(lab10) task 1: USR1 is 10 and ALRM 14 on Linux (kill -l); the real-time ones start at SigQueue.rtmin().
        throw new UnsupportedOperationException("TODO(lab10): Receiver.signals");
    }

    public static void main(String[] args) throws Exception {
        // TODO(lab10) task 1: block, say ready (pid and tid), read one line, then take what is pending and print it.
        throw new UnsupportedOperationException("TODO(lab10): Receiver.main");
    }
}
