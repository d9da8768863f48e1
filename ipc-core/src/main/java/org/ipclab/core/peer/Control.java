package org.ipclab.core.peer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Control messages between the runner and its peer, sent over the channel under test itself:
 * an 8-byte magic "IPCLAB!\0", a u32 opcode, then u64 arguments, little-endian. Benchmark probes
 * ({@link Probe}) start with a sequence number, so the two do not collide in practice.
 */
public final class Control {
    public static final long MAGIC = 0x0021_4241_4C43_5049L; // "IPCLAB!\0" read little-endian
    /** peer → runner, first message: [pid]. */
    public static final int HELLO = 1;
    /** runner → peer: exit cleanly. */
    public static final int STOP = 2;
    /** runner → peer: [runId] verify and count the following probes instead of echoing them (the run id comes back in STATS). */
    public static final int SINK = 3;
    /** runner → peer: [sent] end of the sink run; the peer answers {@link #STATS}. */
    public static final int SINK_END = 4;
    /**
     * peer → runner: [received, reordered, corrupt, bytes, firstArrivalNanos, lastArrivalNanos, runId, duplicates].
     * Fields are only ever appended: a reader takes the ones the message is long enough for
     * (runId and duplicates came later; an older peer sends neither).
     */
    public static final int STATS = 5;

    /** server → client, instead of HELLO: [most clients at once] the server is full; it closes the connection. */
    public static final int REFUSED = 6;

    private static final int HEADER = 12;
    /** Bytes of the smallest control message. A channel whose maxMessageSize is below this is a notification channel (signals): it carries no control messages, see {@link PeerMain}. */
    public static final int HEADER_BYTES = HEADER;

    private Control() {
    }

    public static ByteBuffer message(int opcode, long... args) {
        ByteBuffer b = ByteBuffer.allocateDirect(HEADER + 8 * args.length).order(ByteOrder.LITTLE_ENDIAN);
        write(b, opcode, args);
        return b;
    }

    /** Writes a control message into {@code b} from position 0 and flips it. */
    public static void write(ByteBuffer b, int opcode, long... args) {
        b.clear().order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(MAGIC).putInt(opcode);
        for (long a : args) b.putLong(a);
        b.flip();
    }

    /** The opcode when the first {@code length} bytes of {@code b} (from 0) are a control message, else 0. */
    public static int opcode(ByteBuffer b, int length) {
        if (length < HEADER || le(b.getLong(0), b) != MAGIC) return 0;
        int op = b.getInt(8);
        return b.order() == ByteOrder.LITTLE_ENDIAN ? op : Integer.reverseBytes(op);
    }

    private static long le(long v, ByteBuffer b) {
        return b.order() == ByteOrder.LITTLE_ENDIAN ? v : Long.reverseBytes(v);
    }

    /** The {@code i}-th u64 argument. */
    public static long arg(ByteBuffer b, int i) {
        return le(b.getLong(HEADER + 8 * i), b);
    }
}
