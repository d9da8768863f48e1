package org.ipclab.core;

import java.io.IOException;

/** A kernel object or file that a crashed ipclab run left behind. */
public interface Leftover {
    /** {@code fifo /tmp/ipclab-4242-fifo-k3x9q2/a2b (creator pid 4242 is gone)}. */
    String describe();

    void remove() throws IOException;
}
