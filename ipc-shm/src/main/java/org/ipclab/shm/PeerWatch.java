package org.ipclab.shm;

import java.util.Optional;

/**
 * Is the other process still there? Shared memory has no kernel object that breaks when a process
 * dies (unlike a socket or a pipe), so a waiter must ask now and then — every few milliseconds,
 * never on each spin, because {@code ProcessHandle.isAlive} reads {@code /proc}.
 */
final class PeerWatch {
    private final long pid;
    private final Optional<Process> process;
    private final Optional<ProcessHandle> handle;

    private PeerWatch(long pid, Optional<Process> process) {
        this.pid = pid;
        this.process = process;
        this.handle = process.isPresent() ? Optional.empty() : ProcessHandle.of(pid);
    }

    /** Our own child: {@link Process} knows for sure (and cannot be fooled by pid reuse). */
    static PeerWatch of(Process process) {
        return new PeerWatch(process.pid(), Optional.of(process));
    }

    /** Any process by pid (the peer's pid from the segment header). */
    static PeerWatch of(long pid) {
        return new PeerWatch(pid, Optional.empty());
    }

    long pid() {
        return pid;
    }

    boolean alive() {
        if (process.isPresent()) return process.get().isAlive();
        return handle.map(ProcessHandle::isAlive).orElse(false);
    }

    /** "peer (pid 1234)". */
    String who(String role) {
        return role + " (pid " + pid + ")";
    }
}
