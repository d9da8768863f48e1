package org.ipclab.core;

import java.io.IOException;
import java.util.List;

/**
 * Finds what crashed runs left behind, for {@code ipc clean}. Found by {@link java.util.ServiceLoader};
 * a mechanism whose objects are not files (message queues, System V objects) adds its own.
 * Only objects named by {@link Names} are ever reported.
 */
public interface Sweeper {
    /** Leftovers whose creator is gone ({@code all=false}), or every object of ours ({@code all=true}). */
    List<Leftover> find(boolean all) throws IOException;
}
