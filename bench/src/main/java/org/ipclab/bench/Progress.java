package org.ipclab.bench;

import java.time.Duration;

/** Callbacks while a run goes on: the CLI draws rows and a progress line from these. */
public interface Progress {
    Progress NONE = new Progress() {
    };

    /** Measurement {@code index} (1-based) of {@code total} starts; {@code left} estimates the time until the end. */
    default void started(int index, int total, String label, Duration left) {
    }

    default void finished(Results.Measurement measurement) {
    }

    /** A warning that must not be missed (clamped parameter, mechanism skipped). */
    default void warn(String message) {
        System.err.println("ipc: warning: " + message);
    }
}
