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
 * A segment file mapped into this process: created (and filled with the header) by the server end,
 * attached to by the peer. The file's name is ours ({@code ipclab-<pid>-shm-<rand>}); the
 * semaphores, when the wait strategy needs them, are named after it ({@code /NAME-d0} ...), so
 * glibc keeps them as {@code /dev/shm/sem.NAME-d0} beside it.
 */
final class ShmSegment {
    final Path path;
    final MappedByteBuffer buffer;
    final int capacity;
    final WaitStrategy wait;

    private ShmSegment(Path path, MappedByteBuffer buffer, int capacity, WaitStrategy wait) {
        this.path = path;
        this.buffer = buffer;
        this.capacity = capacity;
        this.wait = wait;
    }

    /** The 4 semaphore names for a segment file: data and space for each ring. */
    static List<String> semaphoreNames(Path segment) {
        String base = "/" + segment.getFileName();
        List<String> names = new ArrayList<>();
        for (int ring = 0; ring < 2; ring++) {
            names.add(base + "-d" + ring);
            names.add(base + "-s" + ring);
        }
        return names;
    }

    static String dataSemaphore(Path segment, int ring) {
        return semaphoreNames(segment).get(2 * ring);
    }

    static String spaceSemaphore(Path segment, int ring) {
        return semaphoreNames(segment).get(2 * ring + 1);
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
            INT.set(buffer, VERSION_OFFSET, VERSION);
            INT.set(buffer, CAPACITY_OFFSET, capacity);
            LONG.set(buffer, CREATOR_PID_OFFSET, ProcessHandle.current().pid());
            LONG.set(buffer, PEER_PID_OFFSET, 0L);
            INT.set(buffer, WAIT_STRATEGY_OFFSET, wait.ordinal());
            LONG.setRelease(buffer, MAGIC_OFFSET, MAGIC);
            return new ShmSegment(path, buffer, capacity, wait);
        } catch (IOException | RuntimeException e) {
            if (fd >= 0) c.close(fd);
            OwnedFiles.removeFileIfOwned(path, Users.uid()); // relative to its directory, only ours
            throw e;
        }
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
        if (size < HEADER_LENGTH || size > ShmLayout.segmentLength(ShmLayout.MAX_CAPACITY)) {
            throw new ProtocolException("shm: " + path + " is not an ipclab shm segment (" + size + " bytes, not the size of any segment)");
        }
        MappedByteBuffer buffer = map(path, size);
        long magic = (long) LONG.getAcquire(buffer, MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new ProtocolException("shm: " + path + " is not an ipclab shm segment (magic 0x" + Long.toHexString(magic)
                    + ", expected 0x" + Long.toHexString(MAGIC) + ")");
        }
        int version = (int) INT.get(buffer, VERSION_OFFSET);
        if (version != VERSION) {
            throw new ProtocolException("shm: " + path + " has layout version " + version + "; this ipclab reads version " + VERSION);
        }
        int capacity = (int) INT.get(buffer, CAPACITY_OFFSET);
        if (capacity < ShmLayout.MIN_CAPACITY || capacity > ShmLayout.MAX_CAPACITY || Integer.bitCount(capacity) != 1
                || ShmLayout.segmentLength(capacity) != size) {
            throw new ProtocolException("shm: " + path + " has a corrupt header (capacity " + capacity + " for a file of " + size + " bytes)");
        }
        long creator = (long) LONG.get(buffer, CREATOR_PID_OFFSET);
        if (!ProcessHandle.of(creator).map(ProcessHandle::isAlive).orElse(false)) {
            throw new IpcException("shm: " + path + " is a stale segment from a crashed run (creator pid " + creator
                    + " is gone); `ipc clean` removes it");
        }
        int w = (int) INT.get(buffer, WAIT_STRATEGY_OFFSET);
        if (w < 0 || w >= WaitStrategy.values().length) {
            throw new ProtocolException("shm: " + path + " has a corrupt header (wait strategy " + w + ")");
        }
        long me = ProcessHandle.current().pid();
        long deadline = System.nanoTime() + ShmChannel.nanos(wait);
        long other;
        while ((other = (long) LONG.compareAndExchange(buffer, PEER_PID_OFFSET, 0L, me)) != 0) {
            if (System.nanoTime() - deadline >= 0) {
                throw new IpcException("shm: " + path + " already has a peer (pid " + other + ")");
            }
            if (!ProcessHandle.of(creator).map(ProcessHandle::isAlive).orElse(false)) {
                throw new IpcException("shm: the server end (pid " + creator + ") of " + path + " is gone");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // the server frees the slot when its current peer leaves
        }
        buffer.load();
        return new ShmSegment(path, buffer, capacity, WaitStrategy.values()[w]);
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
