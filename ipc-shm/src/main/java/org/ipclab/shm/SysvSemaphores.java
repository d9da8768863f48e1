package org.ipclab.shm;

import java.time.Duration;
import java.util.OptionalLong;

import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.Variadic;

import org.ipclab.core.IpcException;
import org.ipclab.core.NativeException;

/**
 * One System V semaphore set ({@code semget(2)}) for a shm segment with {@code wait=sysv-sem}: the
 * older interface beside POSIX named semaphores, visible in {@code ipcs -s} and
 * {@code /proc/sysvipc/sem}. Five semaphores: data and space for each ring (as {@link
 * NamedSemaphore}s would be), and {@link #PRESENCE}.
 *
 * <p>Its key tells ours from anyone else's and carries the creator's pid ({@code /proc/sysvipc/sem}
 * lists no creator pid): {@code 0x49 << 24 | pid << 2 | slot}, top byte 'I', like ipclab's System V
 * message queues (another key space).
 *
 * <p>{@code SEM_UNDO} where it matters, and only there: the wake-ups are counted by one process and
 * consumed by the other, so an undo record would be wrong on exit and would overflow (the kernel's
 * adjustment is capped at 32767) after that many posts. {@link #PRESENCE} is the opposite case: the
 * peer adds 1 with SEM_UNDO when it attaches, and the kernel takes it back when the peer exits,
 * however it dies — a liveness signal no /proc polling is needed for.
 */
final class SysvSemaphores {
    static final int MAGIC = 0x49;
    static final int COUNT = 5;
    /** 1 while a peer is attached: its +1 carries SEM_UNDO. */
    static final int PRESENCE = 4;

    static final int IPC_PRIVATE = 0;
    static final int IPC_CREAT = 01000;
    static final int IPC_EXCL = 02000;
    static final int IPC_RMID = 0;
    static final int GETVAL = 12;
    static final int SETVAL = 16;
    static final short SEM_UNDO = 0x1000;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EEXIST = 17;
    static final int EINVAL = 22;
    static final int ERANGE = 34;
    static final int EIDRM = 43;

    /** libc's System V semaphore calls. */
    public interface Api {
        int semget(int key, int nsems, int semflg);

        /** {@code int semctl(int semid, int semnum, int cmd, ...)}: the optional {@code union semun} travels as a register. */
        @Variadic(fixedCount = 3)
        int semctl(int semid, int semnum, int cmd, long arg);

        int semop(int semid, Pointer sops, long nsops);

        /** {@code timeout} is relative (a {@code struct timespec}), unlike sem_timedwait's absolute one. */
        int semtimedop(int semid, Pointer sops, long nsops, Pointer timeout);
    }

    private static final Api API = load();

    final int semid;
    final int key;

    private SysvSemaphores(int semid, int key) {
        this.semid = semid;
        this.key = key;
    }

    private static Api load() {
        try {
            return LibraryLoader.create(Api.class).option(LibraryOption.SaveError, true).load("c");
        } catch (Throwable t) { // jnr-ffi without its native stub: Libc reports why, for the whole module
            return null;
        }
    }

    static Api api() {
        if (API == null) throw new IllegalStateException("libc via jnr-ffi is not available (System V semaphores)");
        return API;
    }

    private static int errno() {
        return Runtime.getRuntime(api()).getLastError();
    }

    static int key(long pid, int slot) {
        return MAGIC << 24 | (int) ((pid & 0x3F_FFFF) << 2) | slot;
    }

    /** The creator pid in one of our keys, or empty when the key is not ours. */
    static OptionalLong creatorPid(int key) {
        if ((key >>> 24) != MAGIC) return OptionalLong.empty();
        return OptionalLong.of((key & 0x00FF_FFFF) >>> 2);
    }

    /** A fresh 0600 set under one of our keys ({@code IPC_EXCL}), or IPC_PRIVATE when our four slots are taken; all values 0. */
    static SysvSemaphores create() throws NativeException {
        return create(COUNT);
    }

    /** As {@link #create()}, with {@code count} semaphores ({@code ipc demo shm} uses one). */
    static SysvSemaphores create(int count) throws NativeException {
        long pid = ProcessHandle.current().pid();
        int id = -1;
        int key = IPC_PRIVATE;
        for (int slot = 0; slot < 4 && id < 0; slot++) {
            key = key(pid, slot);
            id = api().semget(key, count, IPC_CREAT | IPC_EXCL | 0600);
            if (id < 0 && errno() != EEXIST) throw new NativeException(String.format("semget(0x%08x, %d, IPC_CREAT|IPC_EXCL|0600)", key, count), errno());
        }
        if (id < 0) {
            key = IPC_PRIVATE;
            id = api().semget(IPC_PRIVATE, count, IPC_CREAT | 0600);
            if (id < 0) throw new NativeException("semget(IPC_PRIVATE, " + count + ", 0600)", errno());
        }
        SysvSemaphores set = new SysvSemaphores(id, key);
        for (int i = 0; i < count; i++) {
            if (api().semctl(id, i, SETVAL, 0) < 0) {
                int e = errno();
                set.remove();
                throw new NativeException("semctl(" + id + ", " + i + ", SETVAL, 0)", e);
            }
        }
        return set;
    }

    /** The peer's handle on the set the server end created (no call: a semid is usable as it is). */
    static SysvSemaphores open(int semid) {
        return new SysvSemaphores(semid, -1);
    }

    /** The semaphore of one ring's data (consumer waits) or space (producer waits), in {@link NamedSemaphore}'s order. */
    Wakeup member(int index) {
        return new Member(index);
    }

    static int dataIndex(int ring) {
        return 2 * ring;
    }

    static int spaceIndex(int ring) {
        return 2 * ring + 1;
    }

    /** The peer announces itself: +1 on {@link #PRESENCE} with SEM_UNDO, taken back by the kernel when it exits. */
    void announcePresence() throws NativeException {
        Pointer op = Memory.allocateDirect(Runtime.getRuntime(api()), 6);
        sembuf(op, PRESENCE, (short) 1, SEM_UNDO);
        if (api().semop(semid, op, 1) != 0) throw new NativeException("semop(" + semid + ", PRESENCE +1, SEM_UNDO)", errno());
    }

    int value(int index) throws NativeException {
        int v = api().semctl(semid, index, GETVAL, 0);
        if (v < 0) throw new NativeException("semctl(" + semid + ", " + index + ", GETVAL)", errno());
        return v;
    }

    /** {@code semctl(IPC_RMID)}: the set is gone at once; a process still waiting in it gets EIDRM. */
    void remove() {
        api().semctl(semid, 0, IPC_RMID, 0);
    }

    @Override
    public String toString() {
        return "semid " + semid + (key == IPC_PRIVATE ? " (IPC_PRIVATE)" : key == -1 ? "" : String.format(" (key 0x%08x)", key));
    }

    private static void sembuf(Pointer p, int num, short op, short flags) {
        p.putShort(0, (short) num);
        p.putShort(2, op);
        p.putShort(4, flags);
    }

    /** One semaphore of the set. Its waiting thread and its posting thread each have their own struct buffers. */
    private final class Member implements Wakeup {
        private final int index;
        private final Pointer post = Memory.allocateDirect(Runtime.getRuntime(api()), 6);
        private final Pointer take = Memory.allocateDirect(Runtime.getRuntime(api()), 6);
        private final Pointer timeout = Memory.allocateDirect(Runtime.getRuntime(api()), 16);

        Member(int index) {
            this.index = index;
            sembuf(post, index, (short) 1, (short) 0);
            sembuf(take, index, (short) -1, (short) 0);
        }

        /** V: semop +1. ERANGE (already 32767) means a wake-up is pending anyway. */
        @Override
        public void release() throws IpcException {
            if (api().semop(semid, post, 1) == 0) return;
            int e = errno();
            if (e == ERANGE) return;
            throw failure("semop(" + semid + ", " + index + " +1)", e);
        }

        /** P: semtimedop -1 for at most {@code wait}; false when it expired or a signal interrupted it. */
        @Override
        public boolean acquire(Duration wait) throws IpcException {
            long nanos = Math.max(0, wait.toNanos());
            timeout.putLong(0, nanos / 1_000_000_000L);
            timeout.putLong(8, nanos % 1_000_000_000L);
            if (api().semtimedop(semid, take, 1, timeout) == 0) return true;
            int e = errno();
            if (e == EAGAIN || e == EINTR) return false;
            throw failure("semtimedop(" + semid + ", " + index + " -1)", e);
        }

        private IpcException failure(String call, int errno) {
            if (errno == EIDRM || errno == EINVAL) {
                return new IpcException("shm: System V semaphore set " + semid + " was removed (the server end closed)");
            }
            return new NativeException(call, errno);
        }

        /** Nothing is mapped into this process: the set is removed once, by the server end. */
        @Override
        public void close() {
        }
    }
}
