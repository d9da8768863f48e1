package org.ipclab.core;

import java.util.Optional;

/**
 * Is the process on the other side still there? Shared memory and message queues have no kernel
 * object that breaks when a process dies (unlike a socket or a pipe), so a waiter asks now and
 * then — every few milliseconds, never on each spin: {@link ProcessHandle#isAlive()} reads /proc.
 *
 * <pre>{@code
 * PeerLiveness peer = server ? PeerLiveness.of(process, "peer") : PeerLiveness.ofServer(spec);
 * ... between two waiting slices:
 * peer.check("mqueue", "receive");   // PeerGoneException: "mqueue: server (pid 12) is gone while waiting to receive"
 * }</pre>
 */
public final class PeerLiveness {
    private static final PeerLiveness NOBODY = new PeerLiveness(-1, null, null, "nobody");

    private final long pid;
    private final Process process;        // our own child: knows for sure, immune to pid reuse
    private final ProcessHandle handle;   // any other process by pid; null when it was gone already
    private final String who;

    private PeerLiveness(long pid, Process process, ProcessHandle handle, String who) {
        this.pid = pid;
        this.process = process;
        this.handle = handle;
        this.who = who;
    }

    /** A process we started. */
    public static PeerLiveness of(Process process, String role) {
        return new PeerLiveness(process.pid(), process, null, role + " (pid " + process.pid() + ")");
    }

    /** Any process by pid; one that does not exist now is gone already. */
    public static PeerLiveness ofPid(long pid, String role) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        return new PeerLiveness(pid, null, h.orElse(null),
                role + " (pid " + pid + (h.isPresent() ? ")" : ", already gone)"));
    }

    /** The server named in a peer spec ({@link ChannelSpec#SERVER_PID}), or {@link #nobody()} when it names none. */
    public static PeerLiveness ofServer(ChannelSpec spec) {
        return spec.serverPid().stream().mapToObj(pid -> ofPid(pid, "server")).findFirst().orElse(NOBODY);
    }

    /** Nobody to watch (e.g. {@code ipc serve} before a client said who it is): only timeouts end a wait. */
    public static PeerLiveness nobody() {
        return NOBODY;
    }

    public long pid() {
        return pid;
    }

    public boolean alive() {
        if (this == NOBODY) return true;
        if (process != null) return process.isAlive();
        return handle != null && handle.isAlive();
    }

    /** Throws {@link PeerGoneException} when the other process is gone. */
    public void check(String mechanism, String what) throws PeerGoneException {
        if (!alive()) throw new PeerGoneException(mechanism + ": " + who + " is gone while waiting to " + what);
    }

    @Override
    public String toString() {
        return who;
    }
}
