package org.ipclab.core;

/** What a mechanism guarantees, as data: the runner and the docs read these instead of guessing. */
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
    /** A message is an event that carries at most a few bytes (signals). */
    NOTIFICATION
}
