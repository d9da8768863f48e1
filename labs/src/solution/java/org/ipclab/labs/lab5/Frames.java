package org.ipclab.labs.lab5;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/** Lab 5 reference solution, task 1. */
public final class Frames {
    private Frames() {
    }

    public static void write(WritableByteChannel ch, ByteBuffer message) throws IOException {
        ByteBuffer payload = message.duplicate();
        ByteBuffer header = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(payload.remaining()).flip();
        while (header.hasRemaining()) ch.write(header);
        while (payload.hasRemaining()) ch.write(payload);
    }

    public static ByteBuffer read(ReadableByteChannel ch, int max) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        if (!fill(ch, header, true)) return null;
        int length = header.flip().getInt();
        if (length < 0 || length > max) throw new IOException("frame length " + Integer.toUnsignedString(length) + " is over the limit of " + max);
        ByteBuffer payload = ByteBuffer.allocate(length);
        fill(ch, payload, false);
        return payload.flip();
    }

    /** Fills {@code b}; false when the stream ended before the first byte and that is allowed. */
    private static boolean fill(ReadableByteChannel ch, ByteBuffer b, boolean endAllowed) throws IOException {
        boolean first = true;
        while (b.hasRemaining()) {
            int n = ch.read(b);
            if (n < 0) {
                if (first && endAllowed && b.position() == 0) return false;
                throw new EOFException("the stream ended inside a frame (" + b.position() + " of " + b.capacity() + " bytes)");
            }
            first = false;
        }
        return true;
    }
}
