package org.ipclab.mqueue;

import java.util.Optional;

import org.ipclab.core.PeerGoneException;

/**
 * A queue has no end-of-file: when the process on the other side dies, a blocked receive just
 * waits. So every wait is cut into slices of {@link #SLICE_MS} ms and, between slices, this checks
 * that the other process still runs. The server end watches the {@code Process} it started; the
 * peer watches the server's pid, which it gets in the spec.
 */
final class PeerWatch {
    /** How long one blocking call waits before the peer's liveness is checked again. */
    static final long SLICE_MS = 100;

    private static final PeerWatch NOBODY = new PeerWatch(null, "");

    private final ProcessHandle process;
    private final String who;

    private PeerWatch(ProcessHandle process, String who) {
        this.process = process;
        this.who = who;
    }

    static PeerWatch of(ProcessHandle process, String who) {
        return new PeerWatch(process, who + " (pid " + process.pid() + ")");
    }

    /** Watches the pid when it runs; a pid that does not exist is gone already. */
    static PeerWatch ofPid(long pid, String who) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        return h.map(p -> of(p, who)).orElseGet(() -> new PeerWatch(null, who + " (pid " + pid + ", already gone)"));
    }

    /** No process to watch: only the timeout ends a wait. */
    static PeerWatch nobody() {
        return NOBODY;
    }

    boolean gone() {
        if (this == NOBODY) return false;
        return process == null || !process.isAlive();
    }

    /** Throws when the peer is gone. */
    void check(String mechanism, String what) throws PeerGoneException {
        if (gone()) {
            throw new PeerGoneException(mechanism + ": " + who + " is gone while waiting to " + what
                    + " (a queue has no end-of-file; the peer's liveness is checked every " + SLICE_MS + " ms)");
        }
    }

    @Override
    public String toString() {
        return this == NOBODY ? "nobody" : who;
    }
}
