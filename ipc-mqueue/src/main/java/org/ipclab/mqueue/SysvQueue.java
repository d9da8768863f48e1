package org.ipclab.mqueue;

import java.io.IOException;
import java.util.OptionalLong;

import jnr.ffi.Pointer;

import org.ipclab.core.BadInputException;
import org.ipclab.core.NativeException;

/**
 * One System V message queue ({@code msgget(2)}). Its key tells ours from anyone else's and names
 * the creator, so {@code ipc clean} can find a crashed run's queues in {@code /proc/sysvipc/msg}
 * (which lists no creator pid): {@code key = 0x49 << 24 | pid << 2 | slot} — top byte 'I', 22 bits
 * of pid (Linux pids are below 2^22), 2 bits of slot, so one process holds up to 4 such queues
 * (2 channels) at a time; past that — or when another user pre-created those keys — it falls back
 * to {@code IPC_PRIVATE}, removed on close and at exit, and noted in the per-user {@link Registry}
 * so that {@code ipc clean} still finds it. A queue under one of our keys counts as ours only when
 * it also belongs to our uid.
 */
final class SysvQueue {
    static final int MAGIC = 0x49;
    static final int SLOTS = 4;

    // struct msqid_ds on 64-bit Linux: struct ipc_perm (48 bytes), then these fields.
    static final int MSQID_DS_SIZE = 128;
    static final int DS_MODE = 20;
    static final int DS_CBYTES = 72;
    static final int DS_QNUM = 80;
    static final int DS_QBYTES = 88;

    final int msqid;
    final int key;

    private SysvQueue(int msqid, int key) {
        this.msqid = msqid;
        this.key = key;
    }

    record Status(long cbytes, long qnum, long qbytes, int mode) {
    }

    static int key(long pid, int slot) {
        return MAGIC << 24 | (int) (pid << 2) | slot;
    }

    /** The creator pid encoded in one of our keys, or empty when the key is not ours. */
    static OptionalLong creatorPid(int key) {
        if ((key >>> 24) != MAGIC) return OptionalLong.empty();
        return OptionalLong.of((key & 0x00FF_FFFF) >>> 2);
    }

    /** Creates a fresh 0600 queue under one of our keys ({@code IPC_EXCL}), or IPC_PRIVATE when our slots are taken. */
    static SysvQueue create() throws IOException {
        long pid = ProcessHandle.current().pid();
        if (pid < (1L << 22)) {
            for (int slot = 0; slot < SLOTS; slot++) {
                int key = key(pid, slot);
                int id = Native.libc().msgget(key, Native.IPC_CREAT | Native.IPC_EXCL | 0600);
                if (id >= 0) return new SysvQueue(id, key);
                int errno = Native.errno();
                if (errno != Native.EEXIST) throw createFailure(errno);
            }
        }
        int id = Native.libc().msgget(Native.IPC_PRIVATE, Native.IPC_CREAT | 0600);
        if (id < 0) throw createFailure(Native.errno());
        Registry.recordSysv(id); // no key names us: the per-user registry keeps track of it for ipc clean
        return new SysvQueue(id, Native.IPC_PRIVATE);
    }

    static SysvQueue of(int msqid) {
        return new SysvQueue(msqid, -1);
    }

    private static IOException createFailure(int errno) {
        if (errno == Native.ENOSPC) {
            throw new BadInputException("msgget failed: " + NativeException.describe(errno) + ": the system-wide limit of "
                    + Proc.kernel("msgmni", -1) + " queues (/proc/sys/kernel/msgmni) is reached; `ipc clean` removes stale ones");
        }
        return new NativeException("msgget", errno);
    }

    Status status() throws IOException {
        Pointer ds = Native.allocate(MSQID_DS_SIZE);
        if (Native.libc().msgctl(msqid, Native.IPC_STAT, ds) != 0) {
            throw new NativeException("msgctl(" + msqid + ", IPC_STAT)", Native.errno());
        }
        return new Status(ds.getLong(DS_CBYTES), ds.getLong(DS_QNUM), ds.getLong(DS_QBYTES), ds.getShort(DS_MODE) & 0xFFFF);
    }

    /** IPC_RMID: the queue and its messages go at once; a process blocked on it wakes with EIDRM. Returns errno, 0 on success. */
    static int remove(int msqid) {
        int errno = Native.libc().msgctl(msqid, Native.IPC_RMID, null) == 0 ? 0 : Native.errno();
        if (errno == 0 || errno == Native.EINVAL || errno == Native.EIDRM) Registry.forgetSysv(msqid);
        return errno;
    }

    String describe() {
        return "msqid " + msqid + (key == Native.IPC_PRIVATE ? " (IPC_PRIVATE)" : key == -1 ? "" : String.format(" (key 0x%08x)", key));
    }
}
