package org.ipclab.core.peer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * A benchmark message: what the runner sends and the peer echoes or verifies.
 *
 * <pre>
 *   offset 0  u32 sequence number (low 32 bits)
 *   offset 4  u32 checksum = CRC32C(bytes 0..4, 8..16) XOR CRC32C(bytes 16..size)
 *   offset 8  u64 sender's System.nanoTime() at send
 *   offset 16 fill pattern up to the message size: byte i = (i * 31 + size) mod 256
 * </pre>
 *
 * The checksum covers the sequence number and the timestamp (so a probe whose sequence was damaged
 * is corrupt, not "reordered") and the fill; it is split in two so a sender can compute the fill's
 * CRC once per size, while a receiver still reads every byte. All fields little-endian.
 */
public final class Probe {
    public static final int MIN_SIZE = 16;
    private static final int SEQ = 0;
    private static final int CHECKSUM = 4;
    private static final int SENT_NANOS = 8;
    private static final int FILL = 16;

    private final CRC32C crc = new CRC32C();

    /** A direct buffer of {@code size} bytes holding the fill pattern; reuse it for every probe of that size. */
    public static ByteBuffer newBuffer(int size) {
        if (size < MIN_SIZE) throw new IllegalArgumentException("a probe needs at least " + MIN_SIZE + " bytes, got " + size);
        ByteBuffer b = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = FILL; i < size; i++) b.put(i, (byte) (i * 31 + size));
        return b;
    }

    /** CRC32C of the fill pattern of a buffer from {@link #newBuffer}, to pass to {@link #stamp}. */
    public int fillChecksum(ByteBuffer buffer) {
        crc.reset();
        ByteBuffer fill = buffer.duplicate();
        fill.position(FILL).limit(buffer.capacity());
        crc.update(fill);
        return (int) crc.getValue();
    }

    /** Writes sequence number, timestamp and checksum; the buffer is left ready to send (position 0, limit size). */
    public void stamp(ByteBuffer buffer, long seq, long sentNanos, int fillChecksum) {
        buffer.clear();
        buffer.putInt(SEQ, (int) seq);
        buffer.putLong(SENT_NANOS, sentNanos);
        buffer.putInt(CHECKSUM, headerChecksum(buffer) ^ fillChecksum);
    }

    /** True when the checksum matches the bytes between position 0 and {@code length}. */
    public boolean verify(ByteBuffer buffer, int length) {
        if (length < MIN_SIZE) return false;
        crc.reset();
        ByteBuffer fill = buffer.duplicate();
        fill.limit(length).position(FILL);
        crc.update(fill);
        int fillCrc = (int) crc.getValue();
        return buffer.getInt(CHECKSUM) == (headerChecksum(buffer) ^ fillCrc);
    }

    public static int sequence(ByteBuffer buffer) {
        return buffer.getInt(SEQ);
    }

    public static long sentNanos(ByteBuffer buffer) {
        return buffer.getLong(SENT_NANOS);
    }

    private int headerChecksum(ByteBuffer buffer) {
        crc.reset();
        ByteBuffer header = buffer.duplicate();
        header.limit(CHECKSUM).position(SEQ);
        crc.update(header);
        header.limit(FILL).position(SENT_NANOS);
        crc.update(header);
        return (int) crc.getValue();
    }
}
