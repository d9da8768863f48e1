package org.ipclab.mqueue;

import java.io.IOException;

import jnr.ffi.Pointer;

import org.ipclab.core.BadInputException;
import org.ipclab.core.NativeException;

/**
 * One POSIX message queue descriptor ({@code mqd_t}) and the calls on it. Creation turns every
 * errno a user can cause into a one-line {@link BadInputException} that names the value and the
 * limit; everything else keeps its errno in a {@link NativeException}.
 */
final class PosixQueue implements AutoCloseable {
    /** Linux: {@code NAME_MAX}, counted without the leading slash. */
    static final int NAME_MAX = 255;
    /** Linux {@code MQ_PRIO_MAX}: priorities are 0 .. 32767. */
    static final int PRIO_MAX = 32768;

    // struct mq_attr { long mq_flags, mq_maxmsg, mq_msgsize, mq_curmsgs; long __pad[4]; }
    static final int ATTR_SIZE = 64;
    static final int ATTR_FLAGS = 0;
    static final int ATTR_MAXMSG = 8;
    static final int ATTR_MSGSIZE = 16;
    static final int ATTR_CURMSGS = 24;

    final String name;
    final int mqd;
    private volatile boolean closed;

    private PosixQueue(String name, int mqd) {
        this.name = name;
        this.mqd = mqd;
    }

    /** The queue's attributes as {@code mq_getattr} reports them. */
    record Attributes(long flags, long maxmsg, long msgsize, long curmsgs) {
    }

    /** Refuses a name that {@code mq_open} would refuse, with the rule it breaks. */
    static void checkName(String name) {
        if (name == null || !name.startsWith("/")) {
            throw new BadInputException("queue name '" + name + "' must start with '/' (e.g. /ipclab-demo), see mq_overview(7)");
        }
        if (name.length() < 2) throw new BadInputException("queue name '/' needs at least one character after the slash");
        if (name.indexOf('/', 1) >= 0) {
            throw new BadInputException("queue name '" + name + "' may contain no '/' after the first one, see mq_overview(7)");
        }
        if (name.length() - 1 > NAME_MAX) {
            throw new BadInputException("queue name of " + (name.length() - 1) + " characters is over NAME_MAX (" + NAME_MAX + ")");
        }
    }

    /** Creates a new queue, owner-only (0600), failing when one of that name exists ({@code O_EXCL}). */
    static PosixQueue create(String name, long maxmsg, long msgsize) throws IOException {
        checkName(name);
        Pointer attr = Native.allocate(ATTR_SIZE);
        attr.putLong(ATTR_MAXMSG, maxmsg);
        attr.putLong(ATTR_MSGSIZE, msgsize);
        boolean recorded = Registry.record(name);
        int mqd = Native.libc().mq_open(name, Native.O_RDWR | Native.O_CREAT | Native.O_EXCL, 0600, attr);
        if (mqd < 0) {
            int errno = Native.errno();
            if (recorded) Registry.forget(name); // not ours: someone else's queue must not stay in our record
            throw createFailure(name, maxmsg, msgsize, errno);
        }
        return new PosixQueue(name, mqd);
    }

    /** Opens an existing queue (the peer side). */
    static PosixQueue open(String name, int flags) throws IOException {
        checkName(name);
        int mqd = Native.libc().mq_open(name, flags, 0, null);
        if (mqd < 0) {
            int errno = Native.errno();
            if (errno == Native.ENOENT) {
                throw new BadInputException("no message queue named " + name + " (its creator removed it or never made it)");
            }
            if (errno == Native.EACCES) {
                throw new BadInputException("queue " + name + " exists but is not ours: " + NativeException.describe(errno));
            }
            throw new NativeException("mq_open(" + name + ")", errno);
        }
        return new PosixQueue(name, mqd);
    }

    static IOException createFailure(String name, long maxmsg, long msgsize, int errno) {
        String call = "mq_open(" + name + ") failed: " + NativeException.describe(errno);
        switch (errno) {
            case Native.EEXIST:
                throw new BadInputException("queue " + name + " already exists and is not ours to reuse (another program's, or a crashed run's: try `ipc clean`)");
            case Native.EACCES:
                throw new BadInputException(call + ": the name belongs to a queue of another user");
            case Native.ENAMETOOLONG:
                throw new BadInputException(call + ": the name is over NAME_MAX (" + NAME_MAX + ")");
            case Native.EINVAL: {
                long msgMax = Proc.mqueue("msg_max", -1);
                long sizeMax = Proc.mqueue("msgsize_max", -1);
                throw new BadInputException(call + ": maxmsg=" + maxmsg + " and msgsize=" + msgsize + " must be 1.."
                        + msgMax + " (/proc/sys/fs/mqueue/msg_max) and 1.." + sizeMax
                        + " (/proc/sys/fs/mqueue/msgsize_max) without CAP_SYS_RESOURCE");
            }
            case Native.EMFILE: {
                long limit = Limits.rlimitMsgqueue();
                throw new BadInputException(call + ": this user's queues would need more than RLIMIT_MSGQUEUE = "
                        + (limit < 0 ? "unlimited?" : limit + " bytes") + " (`ulimit -q`); a queue of maxmsg=" + maxmsg
                        + " x msgsize=" + msgsize + " charges about " + Limits.queueBytes(maxmsg, msgsize)
                        + " bytes. Close queues (`ipc clean` removes stale ones), use smaller maxmsg/msgsize, or raise `ulimit -q`");
            }
            case Native.ENOSPC:
                throw new BadInputException(call + ": the system-wide limit of " + Proc.mqueue("queues_max", -1)
                        + " queues (/proc/sys/fs/mqueue/queues_max) is reached; `ipc clean` removes stale ones");
            default:
                return new NativeException("mq_open(" + name + ")", errno);
        }
    }

    Attributes attributes() throws IOException {
        Pointer attr = Native.allocate(ATTR_SIZE);
        if (Native.libc().mq_getattr(mqd, attr) != 0) throw new NativeException("mq_getattr(" + name + ")", Native.errno());
        return new Attributes(attr.getLong(ATTR_FLAGS), attr.getLong(ATTR_MAXMSG), attr.getLong(ATTR_MSGSIZE), attr.getLong(ATTR_CURMSGS));
    }

    /** A received message and its priority (for demos and tests; the channel has its own allocation-free path). */
    record Message(byte[] data, int priority) {
    }

    /**
     * Sends one message with {@code mq_timedsend}, waiting at most {@code timeout} when the queue is
     * full. Returns errno: 0 when sent, ETIMEDOUT when the queue stayed full, EMSGSIZE when over mq_msgsize.
     */
    int send(byte[] data, int priority, java.time.Duration timeout) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(Math.max(1, data.length));
        b.put(data);
        Pointer ts = Native.allocate(16);
        long at = System.currentTimeMillis() + timeout.toMillis();
        ts.putLong(0, at / 1000);
        ts.putLong(8, (at % 1000) * 1_000_000L);
        if (Native.libc().mq_timedsend(mqd, Native.baseAddress(b), data.length, priority, ts) == 0) return 0;
        return Native.errno();
    }

    /** Receives one message, waiting at most {@code timeout}; null when none came. */
    Message receive(java.time.Duration timeout) throws IOException {
        long size = attributes().msgsize();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect((int) size);
        Pointer ts = Native.allocate(16);
        Pointer prio = Native.allocate(8);
        long at = System.currentTimeMillis() + timeout.toMillis();
        ts.putLong(0, at / 1000);
        ts.putLong(8, (at % 1000) * 1_000_000L);
        long n = Native.libc().mq_timedreceive(mqd, Native.baseAddress(b), size, prio, ts);
        if (n < 0) {
            int errno = Native.errno();
            if (errno == Native.ETIMEDOUT) return null;
            throw new NativeException("mq_timedreceive(" + name + ")", errno);
        }
        byte[] data = new byte[(int) n];
        b.get(data);
        return new Message(data, prio.getInt(0));
    }

    boolean closed() {
        return closed;
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        Native.libc().mq_close(mqd);
    }

    /** Removes the name; the queue itself goes when the last descriptor closes. Returns errno, 0 on success. */
    static int unlink(String name) {
        int rc = Native.libc().mq_unlink(name);
        int errno = rc == 0 ? 0 : Native.errno();
        if (rc == 0 || errno == Native.ENOENT) Registry.forget(name);
        return errno;
    }
}
