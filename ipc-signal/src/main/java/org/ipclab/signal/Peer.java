package org.ipclab.signal;

import java.util.function.IntSupplier;

import org.ipclab.core.PeerGoneException;

/**
 * The one process a signal channel may signal: the peer ipclab started (server side), or the
 * process that started us (peer side). Checked before every send, so a recycled pid is never hit.
 */
final class Peer {
    private final long pid;
    private final String who;
    private final Process process;
    private final IntSupplier getppid;

    private Peer(long pid, String who, Process process, IntSupplier getppid) {
        this.pid = pid;
        this.who = who;
        this.process = process;
        this.getppid = getppid;
    }

    /** Server side: the peer process we started. */
    static Peer child(Process process) {
        return new Peer(process.pid(), "peer (pid " + process.pid() + ")", process, null);
    }

    /** Peer side: the server pid from the spec, which must be our parent. */
    static Peer parent(long serverPid) {
        return parent(serverPid, () -> SigLib.libc().getppid());
    }

    /** The same, asking {@code getppid} (before every send) through the given call. */
    static Peer parent(long serverPid, IntSupplier getppid) {
        long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
        if (parent != serverPid) {
            throw new org.ipclab.core.BadInputException("pid " + serverPid + " is not our peer (the process that started us is "
                    + parent + "); ipclab only signals processes it started");
        }
        return new Peer(serverPid, "server (pid " + serverPid + ")", null, getppid);
    }

    long pid() {
        return pid;
    }

    boolean alive() {
        if (process != null) return process.isAlive();
        // Our parent is still the server: it runs (or is a zombie whose pid cannot be reused). Once it
        // dies we are re-parented, so this one cheap syscall also guards against a recycled pid.
        return getppid.getAsInt() == pid;
    }

    void check(String what) throws PeerGoneException {
        if (!alive()) throw new PeerGoneException("signal: " + who + " is gone while waiting to " + what);
    }

    @Override
    public String toString() {
        return who;
    }
}
