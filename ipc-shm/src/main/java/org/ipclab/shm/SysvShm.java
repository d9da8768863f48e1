package org.ipclab.shm;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

import com.kenai.jffi.MemoryIO;

import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;

import org.ipclab.core.NativeException;

/**
 * System V shared memory ({@code shmget(2)}, {@code shmat(2)}, {@code shmctl(2)}): the
 * {@code segment=sysv} source of a shm segment, beside the POSIX one (a file in /dev/shm). The
 * kernel names the segment by a number (the shmid), not by a path: {@code ipcs -m} and
 * {@code /proc/sysvipc/shm} list it, with its creator pid and the count of attachments (nattch).
 *
 * <p>Its key tells ours from anyone else's, the same way as {@link SysvSemaphores}' (shm keys are a
 * key space of their own): top byte 'I', the creator's pid, a slot. The key only matters until
 * {@code IPC_RMID}: from then on the kernel shows the segment under key 0 with status "dest".
 *
 * <p>Detaching: a plain {@code shmdt} while some thread may still touch the buffer would be a
 * SIGSEGV in the JVM, not an exception. So {@link Mapping#detach()} puts an anonymous private
 * mapping in the segment's place ({@code mmap(MAP_FIXED)} unmaps the old one in the same call,
 * which drops the attachment: nattch - 1), and a stray access after it lands in private zeros;
 * the address range itself is unmapped when the buffer is garbage-collected. A mapping never
 * detached is detached then too (or when the process exits).
 */
final class SysvShm {
    static final int IPC_PRIVATE = 0;
    static final int IPC_CREAT = 01000;
    static final int IPC_EXCL = 02000;
    static final int IPC_RMID = 0;
    static final int IPC_STAT = 2;
    /** shm_perm.mode bit the kernel sets on a segment marked for destruction (Linux, nonstandard). */
    static final int SHM_DEST = 01000;
    static final int EEXIST = 17;
    static final int EINVAL = 22;
    static final int EIDRM = 43;
    /** x86_64 glibc {@code struct shmid_ds}: offsets checked with offsetof() against sys/shm.h. */
    static final int SHMID_DS_SIZE = 112;
    static final int SHM_PERM_UID = 4;
    static final int SHM_PERM_MODE = 20;
    static final int SHM_SEGSZ = 48;
    static final int SHM_CPID = 80;
    static final int SHM_NATTCH = 88;
    private static final int SLOTS = 4;
    private static final long PAGE = 4096;
    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_FIXED = 0x10;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MAP_NORESERVE = 0x4000;

    /** libc's System V shared memory calls; a pointer travels as a long (x86_64). */
    public interface Api {
        int shmget(int key, long size, int shmflg);

        /** Returns the address, or -1 ({@code (void *) -1}) with errno set. */
        long shmat(int shmid, long shmaddr, int shmflg);

        int shmdt(long shmaddr);

        int shmctl(int shmid, int cmd, Pointer buf);

        /** Typed as in C: declared with plain longs, jnr-ffi passed a garbage offset here (EINVAL). */
        Pointer mmap(Pointer addr, @size_t long length, int prot, int flags, int fd, @off_t long offset);

        int munmap(Pointer addr, @size_t long length);
    }

    private static final Api API = load();
    private static final Cleaner DETACHER = Cleaner.create();

    private SysvShm() {
    }

    private static Api load() {
        try {
            return LibraryLoader.create(Api.class).option(LibraryOption.SaveError, true).load("c");
        } catch (Throwable t) { // jnr-ffi without its native stub: Libc reports why, for the whole module
            return null;
        }
    }

    static Api api() {
        if (API == null) throw new IllegalStateException("libc via jnr-ffi is not available (System V shared memory)");
        return API;
    }

    static int errno() {
        return Runtime.getRuntime(api()).getLastError();
    }

    /** What IPC_STAT says about a segment. */
    record Stat(long size, long creatorPid, int ownerUid, int mode, long attached) {
        boolean markedForDestruction() {
            return (mode & SHM_DEST) != 0;
        }
    }

    /** A new segment of {@code size} bytes under one of our keys, created 0600 ({@code IPC_EXCL}); IPC_PRIVATE when our slots are taken. */
    static int create(long size) throws NativeException {
        long pid = ProcessHandle.current().pid();
        for (int slot = 0; slot < SLOTS; slot++) {
            int key = SysvSemaphores.key(pid, slot);
            int id = api().shmget(key, size, IPC_CREAT | IPC_EXCL | 0600);
            if (id >= 0) return id;
            int e = errno();
            if (e != EEXIST) throw new NativeException(String.format("shmget(0x%08x, %d, IPC_CREAT|IPC_EXCL|0600)", key, size), e);
        }
        // Every key that names us is taken (busy server ends, or someone squatting them). IPC_PRIVATE is
        // always a new segment; only a crash before the peer attaches would leave one that `ipc clean` cannot name.
        int id = api().shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);
        if (id < 0) throw new NativeException("shmget(IPC_PRIVATE, " + size + ", IPC_CREAT|0600)", errno());
        return id;
    }

    static Optional<Stat> stat(int shmid) {
        Pointer ds = Memory.allocateDirect(Runtime.getRuntime(api()), SHMID_DS_SIZE);
        if (api().shmctl(shmid, IPC_STAT, ds) != 0) return Optional.empty();
        return Optional.of(new Stat(ds.getLong(SHM_SEGSZ), ds.getInt(SHM_CPID), ds.getInt(SHM_PERM_UID),
                ds.getShort(SHM_PERM_MODE) & 0xFFFF, ds.getLong(SHM_NATTCH)));
    }

    /**
     * Attaches the segment read-write; its buffer of {@code length} bytes is in native order. The
     * attachment ends on {@link Mapping#detach()} or when the buffer (and every view of it) is
     * garbage-collected.
     */
    static Mapping attach(int shmid, int length) throws NativeException {
        long address = api().shmat(shmid, 0, 0);
        if (address == -1) throw new NativeException("shmat(" + shmid + ", NULL, 0)", errno());
        ByteBuffer buffer = MemoryIO.getInstance().newDirectByteBuffer(address, length).order(ByteOrder.nativeOrder());
        Attachment state = new Attachment(address, (length + PAGE - 1) / PAGE * PAGE);
        // The action holds the address, never the buffer: slices and duplicates keep the original reachable.
        DETACHER.register(buffer, state);
        return new Mapping(buffer, state);
    }

    /** One attachment: its buffer, and the way to end it early. */
    static final class Mapping {
        final ByteBuffer buffer;
        private final Attachment state;

        private Mapping(ByteBuffer buffer, Attachment state) {
            this.buffer = buffer;
            this.state = state;
        }

        /** Ends the attachment now (the segment's nattch drops); the buffer stays safe to touch, on private zeros. */
        void detach() throws NativeException {
            state.detach();
        }
    }

    private static final class Attachment implements Runnable {
        private final long address;
        private final long length;
        private boolean replaced;

        Attachment(long address, long length) {
            this.address = address;
            this.length = length;
        }

        synchronized void detach() throws NativeException {
            if (replaced) return;
            Pointer at = api().mmap(Pointer.wrap(Runtime.getRuntime(api()), address), length, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
            if (at == null || at.address() != address) throw new NativeException("mmap(0x" + Long.toHexString(address) + ", MAP_FIXED|MAP_ANONYMOUS) over the segment", errno());
            replaced = true;
        }

        /** The buffer is unreachable: unmap whatever is at the address now. */
        @Override
        public synchronized void run() {
            if (replaced) api().munmap(Pointer.wrap(Runtime.getRuntime(api()), address), length);
            else api().shmdt(address);
        }
    }

    /**
     * {@code shmctl(IPC_RMID)}: marks the segment for destruction. Linux destroys it when the last
     * process detaches (nattch 0) — on exit or crash too — and until then still lets a process
     * attach it by shmid (a Linux extension, see shmctl(2) NOTES), which is how later peers of the
     * same server end get in. Removed or gone already counts as done.
     */
    static void remove(int shmid) throws NativeException {
        if (api().shmctl(shmid, IPC_RMID, null) == 0) return;
        int e = errno();
        if (e != EINVAL && e != EIDRM) throw new NativeException("shmctl(" + shmid + ", IPC_RMID)", e);
    }
}
