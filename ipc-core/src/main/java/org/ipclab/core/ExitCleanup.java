package org.ipclab.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Closes what is still open when the JVM exits — normally or on Ctrl-C/SIGTERM — newest first:
 * peers are stopped before the kernel objects they use are removed. SIGKILL leaves leftovers; those
 * are what {@code ipc clean} is for. What the resources remove as they close follows {@code ipc
 * clean}'s rules ({@link OwnedFiles}): only what is still ours, relative to its directory, never
 * through a symbolic link.
 */
public final class ExitCleanup {
    private static final Set<AutoCloseable> OPEN = Collections.synchronizedSet(new LinkedHashSet<>());
    private static volatile boolean shuttingDown;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ExitCleanup::closeAll, "ipclab-exit-cleanup"));
    }

    private ExitCleanup() {
    }

    /** Registers a resource to close at exit; call {@link #forget} when it was closed normally. */
    public static <T extends AutoCloseable> T register(T resource) {
        OPEN.add(resource);
        return resource;
    }

    public static void forget(AutoCloseable resource) {
        OPEN.remove(resource);
    }

    /** True once the JVM began to exit: errors that follow are consequences, not news. */
    public static boolean shuttingDown() {
        return shuttingDown;
    }

    static void closeAll() {
        shuttingDown = true;
        List<AutoCloseable> all;
        synchronized (OPEN) {
            all = new ArrayList<>(OPEN);
            OPEN.clear();
        }
        Collections.reverse(all);
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception ignored) {
                // Best effort at exit; `ipc clean` catches what is left.
            }
        }
    }
}
