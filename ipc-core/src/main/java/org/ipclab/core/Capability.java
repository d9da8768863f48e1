package org.ipclab.core;

/**
 * What a mechanism guarantees or does, as data: the runner, the CLI, the contract suite and the
 * docs read these instead of guessing from a name or a size. A capability may depend on the spec
 * (shm busy-waits with {@code wait=spin}, not with {@code wait=futex}), which is why they come from
 * {@link ChannelProvider#describe(ChannelSpec)}.
 */
public enum Capability {
    /** Both ends can send (for a pipe: because the channel is made of two pipes). */
    BIDIRECTIONAL,
    /** The kernel keeps message boundaries; byte streams get them from {@link Framing} instead. */
    MESSAGE_BOUNDARIES,
    /** Nothing is lost while both processes live; the runner fails the run if anything is. */
    RELIABLE,
    /** Messages arrive in the order they were sent. */
    ORDERED,
    /** Only a parent and the child it starts can share it (inherited descriptors). */
    RELATED_PROCESSES_ONLY,
    /** Reaches other hosts (TCP, UDP); everything else is local to one kernel. */
    CROSS_HOST,
    /** The kernel object has a name in the file system or a namespace that unrelated processes use to meet. */
    NAMED,
    /** The kernel object outlives its creator until it is removed (message queues, shm files, FIFOs). */
    KERNEL_PERSISTENT,
    /**
     * A message is an event that carries at most a few bytes (signals): too small for the control
     * protocol (HELLO/STOP/SINK/STATS) or a timestamped probe, so the peer speaks the notification
     * protocol instead ({@link org.ipclab.core.peer.PeerProtocol}).
     */
    NOTIFICATION,
    /**
     * The data path is memory both processes map (a ring, a log, a queue file): no system call per
     * message unless a side sleeps. The report's "shared-memory routes" are the mechanisms with it.
     */
    SHARED_MEMORY,
    /** A waiting side burns its CPU instead of sleeping: with fewer CPUs than waiters it starves its peer. */
    BUSY_WAITS,
    /**
     * {@link Channel#trySend}/{@link Channel#tryReceive} never block. FileChannel-backed pipes and
     * FIFOs cannot promise it: the JDK offers no readiness check for them.
     */
    NON_BLOCKING_TRY,
    /**
     * {@link ServerEnd#accept} may be called again while channels it returned are still open: a
     * listening socket. Without it, a server end serves one client at a time.
     */
    CONCURRENT_SESSIONS,
    /** The peer's user id is checked when it connects (SO_PEERCRED); a stranger is refused. */
    CHECKS_PEER_UID,
    /**
     * N unrelated client processes can use one server end at once ({@code ipc bench --clients N}): with
     * {@link #CONCURRENT_SESSIONS} each in a session of its own, answered on its own return path; without,
     * all of them {@link ChannelProvider#connect} with the same peer spec and write whole messages into the
     * server's one channel (one queue, many writers), and what the server sends may reach any of them.
     */
    FAN_IN
}
