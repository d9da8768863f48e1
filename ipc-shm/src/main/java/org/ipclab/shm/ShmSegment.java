package org.ipclab.shm;

import static org.ipclab.shm.ShmLayout.CAPACITY_OFFSET;
import static org.ipclab.shm.ShmLayout.CREATOR_PID_OFFSET;
import static org.ipclab.shm.ShmLayout.HEADER_LENGTH;
import static org.ipclab.shm.ShmLayout.INT;
import static org.ipclab.shm.ShmLayout.LONG;
import static org.ipclab.shm.ShmLayout.MAGIC;
import static org.ipclab.shm.ShmLayout.MAGIC_OFFSET;
import static org.ipclab.shm.ShmLayout.PEER_PID_OFFSET;
import static org.ipclab.shm.ShmLayout.VERSION;
import static org.ipclab.shm.ShmLayout.VERSION_OFFSET;
import static org.ipclab.shm.ShmLayout.WAIT_STRATEGY_OFFSET;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.ipclab.core.IpcException;
import org.ipclab.core.NativeException;
import org.ipclab.core.OwnedFiles;
import org.ipclab.core.ProtocolException;
import org.ipclab.core.Units;
import org.ipclab.core.Users;

/**
 * A segment mapped into this process: created (and filled with the header) by the server end,
 * attached to by the peer. Two sources, one layout ({@link ShmLayout}):
 *
 * <ul>
 * <li>{@code segment=posix}: a file in /dev/shm (tmpfs) named {@code ipclab-<pid>-shm-<rand>},
 *     mapped with mmap(MAP_SHARED); the peer finds it by its path. {@code shm_overview(7)}.</li>
 * <li>{@code segment=sysv}: a System V segment ({@link SysvShm}) that has no path, only a shmid,
 *     which the peer is handed; removed with IPC_RMID as soon as both ends are attached, so that
 *     the kernel frees it whenever the last one detaches, crash or not.</li>
 * </ul>
 *
 * The semaphores, when the wait strategy needs them, are named after the segment's name
 * ({@code /NAME-d0} ...), so glibc keeps them as {@code /dev/shm/sem.NAME-d0}.
 */
final class ShmSegment {
    /** {@code ipclab-<pid>-shm-<rand>}: the file's name, or the name a SysV segment's semaphores get. */
    final String name;
    /** segment=posix: the file; null for a SysV segment. */
    final Path path;
    /** segment=sysv: the shmid; -1 for a file. */
    final int shmid;
    /** segment=sysv: the attachment, ended by {@link #detach()}; null for a file (unmapped when its buffer is collected). */
    private final SysvShm.Mapping mapping;
    final ByteBuffer buffer;
    final int capacity;
    final WaitStrategy wait;

    private ShmSegment(String name, Path path, int shmid, SysvShm.Mapping mapping, ByteBuffer buffer, int capacity, WaitStrategy wait) {
        this.name = name;
        this.path = path;
        this.shmid = shmid;
        this.mapping = mapping;
        this.buffer = buffer;
        this.capacity = capacity;
        this.wait = wait;
    }

    boolean sysv() {
        return shmid >= 0;
    }

    /**
     * Ends a SysV attachment now (server end close): with IPC_RMID done, the last detach destroys
     * the segment, so {@code ipcs -m} shows nothing once both ends let go. A file's mapping stays
     * until its buffer is collected (Java 17 has no unmap); the unlinked file is invisible meanwhile.
     */
    void detach() throws NativeException {
        if (mapping != null) mapping.detach();
    }

    /** For messages: the file, or "System V shmid N". */
    String where() {
        return sysv() ? "System V shmid " + shmid : path.toString();
    }

    /** The 4 semaphore names for a segment file: data and space for each ring. */
    static List<String> semaphoreNames(Path segment) {
        return semaphoreNames(segment.getFileName().toString());
    }

    /** The 4 semaphore names for a segment called {@code name}: data and space for each ring. */
    static List<String> semaphoreNames(String name) {
        String base = "/" + name;
        List<String> names = new ArrayList<>();
        for (int ring = 0; ring < 2; ring++) {
            names.add(base + "-d" + ring);
            names.add(base + "-s" + ring);
        }
        return names;
    }

    String dataSemaphore(int ring) {
        return semaphoreNames(name).get(2 * ring);
    }

    String spaceSemaphore(int ring) {
        return semaphoreNames(name).get(2 * ring + 1);
    }

    /**
     * Creates the file (O_EXCL, 0600), reserves every byte with {@code posix_fallocate} — so a full
     * /dev/shm is an ENOSPC error now instead of a SIGBUS on first touch later — maps it, touches
     * every page and writes the header, magic last.
     *
     * <p>Everything after the exclusive create goes through its descriptor: the mode is set with
     * {@code fchmod} (open honours the umask) and the mapping is made through
     * {@code /proc/self/fd/N}, which reopens that very inode, not whatever bears the name by then.
     */
    static ShmSegment create(Path path, int capacity, WaitStrategy wait) throws IOException {
        long length = ShmLayout.segmentLength(capacity);
        Libc.Api c = Libc.api();
        int fd = c.open(path.toString(), Libc.O_CREAT | Libc.O_EXCL | Libc.O_RDWR | Libc.O_CLOEXEC, 0600);
        if (fd < 0) throw new NativeException("open(" + path + ", O_CREAT|O_EXCL, 0600)", Libc.errno());
        try {
            int rc = c.posix_fallocate(fd, 0, length);
            if (rc != 0) {
                long free = freeSpace(path.getParent());
                throw new NativeException("posix_fallocate(" + path + ", " + Units.formatSize(length)
                        + (free >= 0 ? "; " + Units.formatSize(free) + " free in " + path.getParent() : "") + ")", rc);
            }
            if (c.fchmod(fd, 0600) != 0) throw new NativeException("fchmod(" + path + ", 0600)", Libc.errno());
            MappedByteBuffer buffer = map(Path.of("/proc/self/fd/" + fd), length);
            c.close(fd);
            fd = -1;
            buffer.load(); // touch every page now, not during the measurement
            writeHeader(buffer, capacity, wait);
            return new ShmSegment(path.getFileName().toString(), path, -1, null, buffer, capacity, wait);
        } catch (IOException | RuntimeException e) {
            if (fd >= 0) c.close(fd);
            OwnedFiles.removeFileIfOwned(path, Users.uid()); // relative to its directory, only ours
            throw e;
        }
    }

    /**
     * Creates a System V segment ({@code shmget(key, IPC_CREAT|IPC_EXCL|0600)}: born with its final
     * permissions, no window with wider ones), attaches it, touches every page and writes the
     * header, magic last. The size is checked against SHMMAX/SHMALL by shmget itself (EINVAL,
     * ENOSPC now, not a fault later). On failure the segment is removed at once.
     */
    static ShmSegment createSysv(String name, int capacity, WaitStrategy wait) throws IOException {
        long length = ShmLayout.segmentLength(capacity);
        int shmid = SysvShm.create(length);
        try {
            SysvShm.Mapping mapping = SysvShm.attach(shmid, (int) length);
            ByteBuffer buffer = mapping.buffer;
            for (int page = 0; page < length; page += 4096) buffer.put(page, (byte) 0); // fault the pages in now
            writeHeader(buffer, capacity, wait);
            return new ShmSegment(name, null, shmid, mapping, buffer, capacity, wait);
        } catch (IOException | RuntimeException e) {
            SysvShm.remove(shmid); // and the attachment, if any, ends with its unreachable buffer
            throw e;
        }
    }

    private static void writeHeader(ByteBuffer buffer, int capacity, WaitStrategy wait) {
        INT.set(buffer, VERSION_OFFSET, VERSION);
        INT.set(buffer, CAPACITY_OFFSET, capacity);
        LONG.set(buffer, CREATOR_PID_OFFSET, ProcessHandle.current().pid());
        LONG.set(buffer, PEER_PID_OFFSET, 0L);
        INT.set(buffer, WAIT_STRATEGY_OFFSET, wait.ordinal());
        LONG.setRelease(buffer, MAGIC_OFFSET, MAGIC);
    }

    /**
     * Maps an existing segment and claims the peer slot. Refuses anything that is not a live
     * segment of this layout version: foreign or garbage files by magic, other layouts by version,
     * a crashed creator's leftover by its pid.
     */
    static ShmSegment attach(Path path) throws IOException {
        return attach(path, java.time.Duration.ZERO);
    }

    /**
     * As {@link #attach(Path)}, but while another peer holds the segment, waits up to {@code wait}
     * for the server end to free it for the next session (see {@link #resetForNextSession}).
     */
    static ShmSegment attach(Path path, java.time.Duration wait) throws IOException {
        long size;
        try {
            size = Files.size(path);
        } catch (NoSuchFileException e) {
            throw new IpcException("shm: no segment " + path + " (did the server end exit?)");
        }
        checkSize(path.toString(), size);
        MappedByteBuffer buffer = map(path, size);
        ShmSegment s = claim(path.getFileName().toString(), path, -1, null, buffer, size, wait);
        buffer.load();
        return s;
    }

    /**
     * Attaches the System V segment {@code shmid} (its size from IPC_STAT) and claims the peer slot,
     * with the same checks as a file; then marks it for removal, as the server end also does: with
     * both attached, whichever of the two notices first makes sure that nothing outlives them.
     */
    static ShmSegment attachSysv(int shmid, String name, java.time.Duration wait) throws IOException {
        String what = "System V shmid " + shmid;
        SysvShm.Stat st = SysvShm.stat(shmid).orElseThrow(() -> new IpcException(
                "shm: no segment " + what + " (did the server end exit?): " + NativeException.describe(SysvShm.errno())));
        checkSize(what, st.size());
        SysvShm.Mapping mapping = SysvShm.attach(shmid, (int) st.size());
        ByteBuffer buffer = mapping.buffer;
        ShmSegment s = claim(name, null, shmid, mapping, buffer, st.size(), wait);
        for (int page = 0; page < st.size(); page += 4096) buffer.get(page); // map every page now, not during the measurement
        try {
            SysvShm.remove(shmid);
        } catch (NativeException e) {
            // EPERM: a peer of another user may not remove it; the server end does as soon as it sees us
        }
        return s;
    }

    private static void checkSize(String what, long size) throws ProtocolException {
        if (size < HEADER_LENGTH || size > ShmLayout.segmentLength(ShmLayout.MAX_CAPACITY)) {
            throw new ProtocolException("shm: " + what + " is not an ipclab shm segment (" + size + " bytes, not the size of any segment)");
        }
    }

    /**
     * Refuses anything that is not a live segment of this layout version — foreign or garbage
     * contents by magic, other layouts by version, a crashed creator's leftover by its pid — and
     * claims the peer slot, waiting up to {@code wait} while another peer holds it.
     */
    private static ShmSegment claim(String name, Path path, int shmid, SysvShm.Mapping mapping, ByteBuffer buffer, long size,
                                    java.time.Duration wait)
            throws IOException {
        String what = path != null ? path.toString() : "System V shmid " + shmid;
        long magic = (long) LONG.getAcquire(buffer, MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new ProtocolException("shm: " + what + " is not an ipclab shm segment (magic 0x" + Long.toHexString(magic)
                    + ", expected 0x" + Long.toHexString(MAGIC) + ")");
        }
        int version = (int) INT.get(buffer, VERSION_OFFSET);
        if (version != VERSION) {
            throw new ProtocolException("shm: " + what + " has layout version " + version + "; this ipclab reads version " + VERSION);
        }
        int capacity = (int) INT.get(buffer, CAPACITY_OFFSET);
        // a SysV segment's size is the one asked for (shm_segsz), not rounded up to pages
        if (capacity < ShmLayout.MIN_CAPACITY || capacity > ShmLayout.MAX_CAPACITY || Integer.bitCount(capacity) != 1
                || ShmLayout.segmentLength(capacity) != size) {
            throw new ProtocolException("shm: " + what + " has a corrupt header (capacity " + capacity + " for a segment of " + size + " bytes)");
        }
        long creator = (long) LONG.get(buffer, CREATOR_PID_OFFSET);
        if (!ProcessHandle.of(creator).map(ProcessHandle::isAlive).orElse(false)) {
            throw new IpcException("shm: " + what + " is a stale segment from a crashed run (creator pid " + creator
                    + " is gone); `ipc clean` removes it");
        }
        int w = (int) INT.get(buffer, WAIT_STRATEGY_OFFSET);
        if (w < 0 || w >= WaitStrategy.values().length) {
            throw new ProtocolException("shm: " + what + " has a corrupt header (wait strategy " + w + ")");
        }
        long me = ProcessHandle.current().pid();
        long deadline = System.nanoTime() + ShmChannel.nanos(wait);
        long other;
        while ((other = (long) LONG.compareAndExchange(buffer, PEER_PID_OFFSET, 0L, me)) != 0) {
            if (System.nanoTime() - deadline >= 0) {
                throw new IpcException("shm: " + what + " already has a peer (pid " + other + ")");
            }
            if (!ProcessHandle.of(creator).map(ProcessHandle::isAlive).orElse(false)) {
                throw new IpcException("shm: the server end (pid " + creator + ") of " + what + " is gone");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // the server frees the slot when its current peer leaves
        }
        return new ShmSegment(name, path, shmid, mapping, buffer, capacity, WaitStrategy.values()[w]);
    }

    /**
     * Makes the segment ready for the next peer (server end only): both rings back to empty and
     * open, then the peer slot freed (release, last), so a peer that claims it sees clean rings.
     * The caller has made sure that the previous peer has closed its end or died, so no late write
     * of it can land in the new session: a closed {@link ShmChannel} never touches the rings again.
     */
    void resetForNextSession() {
        for (int ring = 0; ring < 2; ring++) {
            int r = ShmLayout.ringOffset(ring, capacity);
            LONG.setVolatile(buffer, r + ShmLayout.HEAD_OFFSET, 0L);
            LONG.setVolatile(buffer, r + ShmLayout.DATA_OFFSET, 0L); // the first header word: "nothing yet"
            INT.setVolatile(buffer, r + ShmLayout.CONSUMER_WAITING_OFFSET, 0);
            INT.setVolatile(buffer, r + ShmLayout.PRODUCER_WAITING_OFFSET, 0);
            INT.setVolatile(buffer, r + ShmLayout.PRODUCER_CLOSED_OFFSET, 0);
            INT.setVolatile(buffer, r + ShmLayout.CONSUMER_CLOSED_OFFSET, 0);
        }
        LONG.setRelease(buffer, PEER_PID_OFFSET, 0L);
    }

    /** True once the peer's end is closed: it ended its outbound ring and stopped reading ours. */
    boolean peerClosed() {
        int in = ShmLayout.ringOffset(ShmLayout.PEER_TO_CREATOR, capacity);
        int out = ShmLayout.ringOffset(ShmLayout.CREATOR_TO_PEER, capacity);
        return (int) INT.getVolatile(buffer, in + ShmLayout.PRODUCER_CLOSED_OFFSET) != 0
                && (int) INT.getVolatile(buffer, out + ShmLayout.CONSUMER_CLOSED_OFFSET) != 0;
    }

    long creatorPid() {
        return (long) LONG.getAcquire(buffer, CREATOR_PID_OFFSET);
    }

    long peerPid() {
        return (long) LONG.getAcquire(buffer, PEER_PID_OFFSET);
    }

    private static MappedByteBuffer map(Path path, long length) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer b = ch.map(FileChannel.MapMode.READ_WRITE, 0, length); // stays mapped after close
            b.order(ByteOrder.nativeOrder());
            return b;
        }
    }

    static long freeSpace(Path dir) {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }
}
