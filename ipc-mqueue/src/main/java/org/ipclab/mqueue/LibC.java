package org.ipclab.mqueue;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The libc calls this module needs, bound with jnr-ffi. glibc 2.34+ has the {@code mq_*}
 * functions in libc itself (no librt). Buffers are passed as raw addresses ({@code long}) so the
 * hot path allocates nothing; {@link Native#address} turns a direct {@code ByteBuffer} into one.
 * Every call saves errno; read it with {@link Native#errno()} right after a call returns -1.
 */
public interface LibC {
    // ---- POSIX message queues, mq_overview(7) ----

    /** {@code mqd_t mq_open(const char *name, int oflag, mode_t mode, struct mq_attr *attr)}; variadic in C, fixed here (x86-64 passes them alike). */
    int mq_open(String name, int oflag, int mode, @In Pointer attr);

    int mq_close(int mqd);

    int mq_unlink(String name);

    int mq_getattr(int mqd, @Out Pointer attr);

    /** {@code abs_timeout} is CLOCK_REALTIME, absolute. */
    int mq_timedsend(int mqd, long msg, @size_t long length, int priority, @In Pointer absTimeout);

    @ssize_t long mq_timedreceive(int mqd, long msg, @size_t long length, @Out Pointer priority, @In Pointer absTimeout);

    // ---- System V message queues, sysvipc(7) ----

    int msgget(int key, int flags);

    /** {@code msgp} points at {@code struct { long mtype; char mtext[]; }}; {@code size} counts mtext only. */
    int msgsnd(int msqid, long msgp, @size_t long size, int flags);

    @ssize_t long msgrcv(int msqid, long msgp, @size_t long size, long type, int flags);

    int msgctl(int msqid, int cmd, Pointer buf);

    int getuid();

    // ---- resource limits, for RLIMIT_MSGQUEUE ----

    int getrlimit(int resource, @Out Pointer rlim);

    int setrlimit(int resource, @In Pointer rlim);
}
