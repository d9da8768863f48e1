package org.ipclab.labs.lab9;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;

import org.ipclab.labs.support.PosixMq;

/** Lab 9 mutant: the offer descriptor blocks. */
public final class Queues {
    private Queues() {
    }

    public record Message(String text, int priority) {
    }

    private static IOException failure(String call, String name, int rc) {
        if (rc == -PosixMq.EEXIST) return new FileAlreadyExistsException(name, null, call + ": the queue exists");
        if (rc == -PosixMq.ENOENT) return new NoSuchFileException(name, null, call + ": no such queue");
        return new IOException(call + "(" + name + ") failed: errno " + -rc);
    }

    public static int create(String name, int maxmsg, int msgsize) throws IOException {
        int mqd = PosixMq.open(name, PosixMq.O_RDWR | PosixMq.O_CREAT | PosixMq.O_EXCL, maxmsg, msgsize);
        if (mqd < 0) throw failure("mq_open", name, mqd);
        return mqd;
    }

    public static void remove(String name) throws IOException {
        int rc = PosixMq.unlink(name);
        if (rc < 0) throw failure("mq_unlink", name, rc);
    }

    public static void send(int mqd, String text, int priority) throws IOException {
        int rc = PosixMq.send(mqd, text.getBytes(StandardCharsets.UTF_8), priority);
        if (rc < 0) throw new IOException("mq_send failed: errno " + -rc);
    }

    public static Message receive(int mqd) throws IOException {
        int[] errno = new int[1];
        PosixMq.Message m = PosixMq.receive(mqd, errno);
        if (m == null) throw new IOException("mq_receive failed: errno " + errno[0]);
        return new Message(m.text(), m.priority());
    }

    public static int openForOffer(String name) throws IOException {
        int mqd = PosixMq.open(name, PosixMq.O_WRONLY, 0, 0); // Wrong: without O_NONBLOCK a full queue blocks mq_send
        if (mqd < 0) throw failure("mq_open", name, mqd);
        return mqd;
    }

    public static boolean offer(int mqd, String text, int priority) throws IOException {
        int rc = PosixMq.send(mqd, text.getBytes(StandardCharsets.UTF_8), priority);
        if (rc == -PosixMq.EAGAIN) return false; // full, and this descriptor is O_NONBLOCK
        if (rc < 0) throw new IOException("mq_send failed: errno " + -rc);
        return true;
    }

    public static long pending(String name) throws IOException {
        int mqd = PosixMq.open(name, PosixMq.O_RDONLY, 0, 0);
        if (mqd < 0) throw failure("mq_open", name, mqd);
        try {
            PosixMq.Attributes a = PosixMq.attributes(mqd);
            if (a == null) throw new IOException("mq_getattr(" + name + ") failed");
            return a.curmsgs();
        } finally {
            PosixMq.close(mqd);
        }
    }
}
