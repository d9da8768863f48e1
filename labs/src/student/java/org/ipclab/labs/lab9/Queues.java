package org.ipclab.labs.lab9;

import java.io.IOException;

import org.ipclab.labs.support.PosixMq;

/**
 * Lab 9: a POSIX message queue through the libc calls themselves ({@link PosixMq}, given: one Java method per
 * C call, a negative result is -errno). Names are "/" + one word: {@code "/" + org.ipclab.core.Names.unique("lab9")}.
 */
public final class Queues {
    private Queues() {
    }

    /** A message as the receiver sees it: its text and the priority it was sent with. */
    public record Message(String text, int priority) {
    }

    /**
     * Task 1: creates a NEW queue for reading and writing, owner-only, holding at most {@code maxmsg} messages
     * of at most {@code msgsize} bytes; returns its descriptor.
     *
     * @throws java.nio.file.FileAlreadyExistsException when a queue of that name exists (never reuse one)
     * @throws IOException for any other failure, naming the errno
     */
    public static int create(String name, int maxmsg, int msgsize) throws IOException {
        // TODO(lab9) task 1: mq_open(3) with the flags that create and refuse an existing queue.
        throw new UnsupportedOperationException("TODO(lab9): Queues.create");
    }

    /** Task 1: removes the queue's name (mq_unlink(3)); {@link java.nio.file.NoSuchFileException} when there is none. */
    public static void remove(String name) throws IOException {
        // TODO(lab9) task 1
        throw new UnsupportedOperationException("TODO(lab9): Queues.remove");
    }

    /** Task 2: sends {@code text} (UTF-8) with {@code priority} (0..32767); waits while the queue is full. */
    public static void send(int mqd, String text, int priority) throws IOException {
        // TODO(lab9) task 2
        throw new UnsupportedOperationException("TODO(lab9): Queues.send");
    }

    /** Task 2: receives the next message (which one? mq_receive(3) says); waits while the queue is empty. */
    public static Message receive(int mqd) throws IOException {
        // TODO(lab9) task 2
        throw new UnsupportedOperationException("TODO(lab9): Queues.receive");
    }

    /**
     * Task 3: opens the existing queue {@code name} for writing, with a descriptor on which a send to a full queue
     * fails at once instead of waiting.
     */
    public static int openForOffer(String name) throws IOException {
        // TODO(lab9) task 3
        throw new UnsupportedOperationException("TODO(lab9): Queues.openForOffer");
    }

    /** Task 3: sends like {@link #send} on a descriptor from {@link #openForOffer}; false (at once) when the queue is full. */
    public static boolean offer(int mqd, String text, int priority) throws IOException {
        // TODO(lab9) task 3
        throw new UnsupportedOperationException("TODO(lab9): Queues.offer");
    }

    /** Task 4: how many messages the queue {@code name} holds now, as the kernel counts them; leaves no descriptor open. */
    public static long pending(String name) throws IOException {
        // TODO(lab9) task 4
        throw new UnsupportedOperationException("TODO(lab9): Queues.pending");
    }
}
