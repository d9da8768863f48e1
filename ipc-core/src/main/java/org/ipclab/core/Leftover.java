package org.ipclab.core;

import java.io.IOException;

/** A kernel object or file that a crashed ipclab run left behind. */
public interface Leftover {
    /** {@code fifo /tmp/ipclab-4242-fifo-k3x9q2/a2b (creator pid 4242 is gone)}. */
    String describe();

    /** Removes it; only called for a leftover of ours, or by root with {@code --all-users}. */
    void remove() throws IOException;

    /** The uid that owns it: only ours are removed, unless root asked for every user's. */
    int ownerUid();

    default boolean ours() {
        return ownerUid() == Users.uid();
    }
}
