package org.ipclab.labs.lab5;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * Lab 5, task 1: messages over a byte stream. TCP and Unix stream sockets (and pipes) carry bytes,
 * not messages: three writes of 10 bytes may arrive as one read of 30, or as 30 reads of 1.
 * A frame puts the length first: {@code [u32 little-endian length][payload]} — ipclab's own wire
 * format (docs/wire-format.md), so your frames can talk to {@code ipc serve}.
 */
public final class Frames {
    private Frames() {
    }

    /** Writes the bytes between {@code message.position()} and its limit as one frame. */
    public static void write(WritableByteChannel ch, ByteBuffer message) throws IOException {
        // TODO(lab5) task 1: a 4-byte header (ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(len).flip()),
        //   then the payload. write() may write less than asked: loop while the buffer hasRemaining().
        throw new UnsupportedOperationException("TODO(lab5): Frames.write");
    }

    /**
     * Reads one whole frame and returns its payload (position 0, limit = length), or {@code null} when the
     * stream ended cleanly before a frame began.
     *
     * @throws java.io.EOFException when the stream ends inside a frame
     * @throws IOException when the length is negative or over {@code max} (check BEFORE allocating)
     */
    public static ByteBuffer read(ReadableByteChannel ch, int max) throws IOException {
        // TODO(lab5) task 1: read exactly 4 header bytes (read() may return fewer: loop; -1 means end of stream),
        //   decode the little-endian length, check 0 <= length <= max, then read exactly length bytes.
        throw new UnsupportedOperationException("TODO(lab5): Frames.read");
    }
}
