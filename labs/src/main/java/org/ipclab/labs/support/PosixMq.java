package org.ipclab.labs.support;

import java.time.Duration;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * Given (lab 9): the POSIX message queue calls of libc ({@code mq_overview(7)}), one Java method per C call,
 * bound with jnr-ffi. Like the C calls they report failure, not throw it: a negative result is {@code -errno}
 * ({@code -EAGAIN}, {@code -EEXIST}, ...). What to call, with which flags, and what the answer means is the lab.
 */
public final class PosixMq {
    /** {@code <fcntl.h>} open flags (Linux x86-64 and aarch64 values). */
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_NONBLOCK = 04000;

    /** errno values (errno(3)). */
    public static final int ENOENT = 2;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int EMSGSIZE = 90;
    public static final int ETIMEDOUT = 110;

    // struct mq_attr { long mq_flags, mq_maxmsg, mq_msgsize, mq_curmsgs; long __reserved[4]; }
    private static final int ATTR_SIZE = 64;

    /** The libc functions, as declared in {@code <mqueue.h>} ({@code mqd_t} is an int on Linux). */
    public interface LibC {
        int mq_open(String name, int oflag, int mode, Pointer attr);

        int mq_send(int mqd, Pointer msg, long len, int prio);

        int mq_timedsend(int mqd, Pointer msg, long len, int prio, Pointer absTimeout);

        long mq_receive(int mqd, Pointer msg, long len, Pointer prio);

        long mq_timedreceive(int mqd, Pointer msg, long len, Pointer prio, Pointer absTimeout);

        int mq_getattr(int mqd, Pointer attr);

        int mq_close(int mqd);

        int mq_unlink(String name);
    }

    private static final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
        static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(LIBC);
    }

    /** What {@code mq_getattr} reports: flags (O_NONBLOCK or 0), the limits fixed at creation, messages queued now. */
    public record Attributes(long flags, long maxmsg, long msgsize, long curmsgs) {
    }

    private PosixMq() {
    }

    private static Pointer allocate(long bytes) {
        return Memory.allocateDirect(Holder.RUNTIME, (int) Math.max(1, bytes), true);
    }

    private static int fail() {
        return -Holder.RUNTIME.getLastError();
    }

    /**
     * {@code mq_open(name, oflag, 0600, attr)}: {@code name} is "/" + at most 255 characters without another "/".
     * With O_CREAT, {@code maxmsg} and {@code msgsize} (both above 0) set the new queue's limits; 0 and 0 take the
     * system's defaults (/proc/sys/fs/mqueue/msg_default, msgsize_default).
     *
     * @return the queue descriptor (0 or more), or -errno
     */
    public static int open(String name, int oflag, long maxmsg, long msgsize) {
        Pointer attr = null;
        if (maxmsg > 0 || msgsize > 0) {
            attr = allocate(ATTR_SIZE);
            attr.putLong(8, maxmsg);
            attr.putLong(16, msgsize);
        }
        int mqd = Holder.LIBC.mq_open(name, oflag, 0600, attr);
        return mqd >= 0 ? mqd : fail();
    }

    /** {@code mq_send}: 0, or -errno (-EAGAIN: full and O_NONBLOCK; -EMSGSIZE: over the queue's msgsize). */
    public static int send(int mqd, byte[] message, int priority) {
        Pointer p = allocate(message.length);
        p.put(0, message, 0, message.length);
        return Holder.LIBC.mq_send(mqd, p, message.length, priority) == 0 ? 0 : fail();
    }

    /** {@code mq_timedsend}, waiting at most {@code timeout} for room: 0, or -errno (-ETIMEDOUT when it stayed full). */
    public static int send(int mqd, byte[] message, int priority, Duration timeout) {
        Pointer p = allocate(message.length);
        p.put(0, message, 0, message.length);
        return Holder.LIBC.mq_timedsend(mqd, p, message.length, priority, deadline(timeout)) == 0 ? 0 : fail();
    }

    /** A received message and the priority it was sent with. */
    public record Message(byte[] data, int priority) {
        public String text() {
            return new String(data, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /**
     * {@code mq_receive} into a buffer of the queue's msgsize (a smaller one is refused with EMSGSIZE).
     *
     * @param errno where the errno goes when no message is returned (element 0): -EAGAIN when empty and O_NONBLOCK
     * @return the oldest message of the highest priority, or null
     */
    public static Message receive(int mqd, int[] errno) {
        return receive(mqd, null, errno);
    }

    /** {@code mq_timedreceive}: like {@link #receive(int, int[])}, waiting at most {@code timeout} (-ETIMEDOUT). */
    public static Message receive(int mqd, Duration timeout, int[] errno) {
        Attributes a = attributes(mqd);
        if (a == null) {
            errno[0] = fail();
            return null;
        }
        Pointer buf = allocate(a.msgsize());
        Pointer prio = allocate(8);
        long n = timeout == null ? Holder.LIBC.mq_receive(mqd, buf, a.msgsize(), prio)
                : Holder.LIBC.mq_timedreceive(mqd, buf, a.msgsize(), prio, deadline(timeout));
        if (n < 0) {
            errno[0] = fail();
            return null;
        }
        byte[] data = new byte[(int) n];
        buf.get(0, data, 0, data.length);
        errno[0] = 0;
        return new Message(data, prio.getInt(0));
    }

    /** {@code mq_getattr}, or null when the descriptor is not a queue's. */
    public static Attributes attributes(int mqd) {
        Pointer attr = allocate(ATTR_SIZE);
        if (Holder.LIBC.mq_getattr(mqd, attr) != 0) return null;
        return new Attributes(attr.getLong(0), attr.getLong(8), attr.getLong(16), attr.getLong(24));
    }

    /** {@code mq_close}: 0 or -errno. The queue stays; only this descriptor goes. */
    public static int close(int mqd) {
        return Holder.LIBC.mq_close(mqd) == 0 ? 0 : fail();
    }

    /** {@code mq_unlink}: 0 or -errno. Removes the name; the queue goes when its last descriptor is closed. */
    public static int unlink(String name) {
        return Holder.LIBC.mq_unlink(name) == 0 ? 0 : fail();
    }

    /** The absolute CLOCK_REALTIME deadline the timed calls want. */
    private static Pointer deadline(Duration timeout) {
        java.time.Instant at = java.time.Instant.now().plus(timeout);
        Pointer ts = allocate(16);
        ts.putLong(0, at.getEpochSecond());
        ts.putLong(8, at.getNano());
        return ts;
    }
}
