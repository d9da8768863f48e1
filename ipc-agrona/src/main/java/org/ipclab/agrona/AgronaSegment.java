package org.ipclab.agrona;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.ipclab.core.IpcException;
import org.ipclab.core.ProtocolException;
import org.ipclab.core.Units;

/**
 * The mapped file both processes share: a one-page header of ours, then two Agrona
 * {@link OneToOneRingBuffer}s, each {@code capacity} bytes of records plus Agrona's trailer (tail,
 * head cache, head, correlation counter, consumer heartbeat, each on its own pair of cache lines).
 *
 * <pre>
 * 0      MAGIC "IPCAGRN1"  VERSION  CAPACITY  CREATOR_PID
 * 128    PEER_PID     -1: no accept in progress, 0: waiting for a peer, &gt;0: the peer that claimed it
 * 256    SERVER_CLOSED  the server closed its channel (its ring ends, it reads no more)
 * 384    PEER_CLOSED    the same for the peer
 * 4096   ring 0, server → peer: capacity + TRAILER_LENGTH
 * ...    ring 1, peer → server, page-aligned
 * </pre>
 *
 * The flags live outside the rings so that ending a stream never needs room in a full ring.
 */
final class AgronaSegment {
    static final long MAGIC = 0x314E5247_41435049L; // "IPCAGRN1" little-endian
    static final int VERSION = 1;
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 8;
    static final int CAPACITY_OFFSET = 12;
    static final int CREATOR_PID_OFFSET = 16;
    static final int PEER_PID_OFFSET = 128;
    static final int SERVER_CLOSED_OFFSET = 256;
    static final int PEER_CLOSED_OFFSET = 384;
    static final int HEADER_LENGTH = 4096;
    static final long NO_ACCEPT = -1;

    static final int MIN_CAPACITY = 1 << 10;
    static final int MAX_CAPACITY = 1 << 28;

    final Path path;
    final int capacity;
    /** The mapping lives as long as this buffer is reachable (Java 17 has no unmap); the UnsafeBuffers over it hold it too. */
    private final MappedByteBuffer mapping;
    final UnsafeBuffer header;
    final UnsafeBuffer ring0;
    final UnsafeBuffer ring1;

    private AgronaSegment(Path path, int capacity, MappedByteBuffer mapping) {
        this.path = path;
        this.capacity = capacity;
        this.mapping = mapping;
        this.header = new UnsafeBuffer(mapping, 0, HEADER_LENGTH);
        int ringBytes = capacity + RingBufferDescriptor.TRAILER_LENGTH;
        this.ring0 = new UnsafeBuffer(mapping, HEADER_LENGTH, ringBytes);
        this.ring1 = new UnsafeBuffer(mapping, ring1Offset(capacity), ringBytes);
    }

    /** Refuses a capacity Agrona cannot take, naming the limits (a power of two; the largest message is an eighth). */
    static int checkCapacity(long capacity) {
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || Long.bitCount(capacity) != 1) {
            throw new org.ipclab.core.BadInputException("agrona option capacity=" + capacity + " must be a power of two from "
                    + Units.formatSize(MIN_CAPACITY).replace(" ", "") + " to " + Units.formatSize(MAX_CAPACITY).replace(" ", ""));
        }
        return (int) capacity;
    }

    /** Agrona's rule for a {@link OneToOneRingBuffer}: a message is at most an eighth of the ring. */
    static int maxMessage(int capacity) {
        return capacity >> 3;
    }

    static long length(int capacity) {
        return ring1Offset(capacity) + (long) capacity + RingBufferDescriptor.TRAILER_LENGTH;
    }

    private static int ring1Offset(int capacity) {
        int end0 = HEADER_LENGTH + capacity + RingBufferDescriptor.TRAILER_LENGTH;
        return (end0 + 4095) & ~4095;
    }

    /**
     * Creates the file with its final mode (0600, O_EXCL), writes every byte once — so a full
     * /dev/shm fails here with ENOSPC instead of a SIGBUS on first touch — maps it and writes the
     * header, magic last.
     */
    static AgronaSegment create(Path path, int capacity) throws IOException {
        long length = length(capacity);
        try (FileChannel ch = FileChannel.open(path, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            try {
                ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
                for (long at = 0; at < length; ) {
                    zeros.clear().limit((int) Math.min(zeros.capacity(), length - at));
                    at += ch.write(zeros, at);
                }
                MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, length);
                AgronaSegment s = new AgronaSegment(path, capacity, map);
                s.header.putInt(VERSION_OFFSET, VERSION);
                s.header.putInt(CAPACITY_OFFSET, capacity);
                s.header.putLong(CREATOR_PID_OFFSET, ProcessHandle.current().pid());
                s.header.putLong(PEER_PID_OFFSET, NO_ACCEPT);
                s.header.putLongRelease(MAGIC_OFFSET, MAGIC);
                return s;
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(path);
                throw e;
            }
        }
    }

    /** Maps an existing segment, refusing anything that is not a live one of this layout. */
    static AgronaSegment attach(Path path) throws IOException {
        long size;
        MappedByteBuffer map;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            size = ch.size();
            if (size < HEADER_LENGTH || size > length(MAX_CAPACITY)) {
                throw new ProtocolException("agrona: " + path + " is not an ipclab agrona segment (" + size + " bytes)");
            }
            map = ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
        } catch (NoSuchFileException e) {
            throw new IpcException("agrona: no segment " + path + " (did the server end exit?)");
        } catch (AccessDeniedException e) {
            throw new IpcException("agrona: may not open " + path + " (it is its creator's, mode 0600)");
        }
        UnsafeBuffer h = new UnsafeBuffer(map, 0, HEADER_LENGTH);
        long magic = h.getLongAcquire(MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new ProtocolException("agrona: " + path + " is not an ipclab agrona segment (magic 0x" + Long.toHexString(magic) + ")");
        }
        int version = h.getInt(VERSION_OFFSET);
        if (version != VERSION) {
            throw new ProtocolException("agrona: " + path + " has layout version " + version + "; this ipclab reads version " + VERSION);
        }
        int capacity = h.getInt(CAPACITY_OFFSET);
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1 || length(capacity) != size) {
            throw new ProtocolException("agrona: " + path + " has a corrupt header (capacity " + capacity + " in a file of " + size + " bytes)");
        }
        long creator = h.getLong(CREATOR_PID_OFFSET);
        if (!ProcessHandle.of(creator).map(ProcessHandle::isAlive).orElse(false)) {
            throw new IpcException("agrona: " + path + " is a stale segment (creator pid " + creator + " is gone); `ipc clean` removes it");
        }
        return new AgronaSegment(path, capacity, map);
    }

    long creatorPid() {
        return header.getLong(CREATOR_PID_OFFSET);
    }

    long peerPid() {
        return header.getLongVolatile(PEER_PID_OFFSET);
    }

    boolean closedFlag(int offset) {
        return header.getIntVolatile(offset) != 0;
    }

    /** Empties both rings and clears the close flags, for the next session; nobody may be attached. */
    void reset() {
        ring0.setMemory(0, ring0.capacity(), (byte) 0);
        ring1.setMemory(0, ring1.capacity(), (byte) 0);
        header.putIntVolatile(SERVER_CLOSED_OFFSET, 0);
        header.putIntVolatile(PEER_CLOSED_OFFSET, 0);
    }
}
