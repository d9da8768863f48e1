package org.ipclab.labs.lab3;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Lab 3, task 1: a shared-memory segment. On Linux, POSIX shared memory ({@code shm_open}) is a file
 * in the RAM file system {@code /dev/shm}; every process that maps it sees the same physical pages.
 *
 * <pre>{@code
 * try (Segment seg = Segment.create(Layout.SIZE)) {     // /dev/shm/ipclab-<pid>-lab3-xxxxxx
 *     seg.buffer().putLong(0, 42);                      // another process mapping seg.path() sees 42
 * }                                                     // the file is gone
 * }</pre>
 */
public final class Segment implements AutoCloseable {
    private final Path path;
    private final MappedByteBuffer buffer;
    private final boolean owner;

    private Segment(Path path, MappedByteBuffer buffer, boolean owner) {
        this.path = path;
        this.buffer = buffer;
        this.owner = owner;
    }

    /** Creates a new owner-only (0600) file of {@code size} bytes in /dev/shm, named by Names.unique("lab3"), and maps it. */
    public static Segment create(int size) throws IOException {
        // TODO(lab3) task 1: create an owner-only (0600) file in /dev/shm, named by org.ipclab.core.Names.unique("lab3")
        //   (ipc-core: ipc-core/src/main/java/org/ipclab/core/Names.java), map it with map(path, size) below and
        //   return a Segment that knows it created the file.
        throw new UnsupportedOperationException("TODO(lab3): Segment.create");
    }

    /** Maps an existing segment (another process created it). Closing it does not remove the file. */
    public static Segment open(Path path, int size) throws IOException {
        return new Segment(path, map(path, size), false);
    }

    private static MappedByteBuffer map(Path path, int size) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // The mapping stays valid after the channel is closed. A fresh file is grown to size and reads as zeros.
            return ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
        }
    }

    public Path path() {
        return path;
    }

    public MappedByteBuffer buffer() {
        return buffer;
    }

    /** The creator removes the file (the pages are freed when the last mapping goes). */
    @Override
    public void close() throws IOException {
        // TODO(lab3) task 1: if this process created the segment, delete the file.
        throw new UnsupportedOperationException("TODO(lab3): Segment.close");
    }
}
