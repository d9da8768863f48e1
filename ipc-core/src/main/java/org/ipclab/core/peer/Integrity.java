package org.ipclab.core.peer;

/**
 * Counts what arrived against what was sent: received, lost, reordered, duplicated, corrupt.
 * Sequence numbers travel as 32 bits; this keeps the full count and compares modulo 2^32.
 *
 * <p>A message that comes after a later one is either late (reordered) or a second copy of one
 * already counted (a duplicate): a window of the last {@link #WINDOW} sequence numbers remembers
 * which arrived, so the two are told apart. A duplicate is not received a second time, so it can
 * never make up for a lost message. Older than the window, a late message counts as reordered.
 * Nothing here allocates: it runs on the measured path.
 */
public final class Integrity {
    /** Sequence numbers remembered below the next one expected. */
    public static final int WINDOW = 4096;

    /** What {@link #record} made of one message. */
    public static final int NEXT = 0, AHEAD = 1, LATE = 2, DUPLICATE = 3, CORRUPT = 4;

    private final long[] seen = new long[WINDOW / 64];
    private long received;
    private long reordered;
    private long duplicates;
    private long corrupt;
    private long bytes;
    private long nextExpected;

    /**
     * Records one message; {@code valid} is the checksum verdict.
     *
     * @return {@link #NEXT} when it was the next one expected, {@link #AHEAD} when some before it
     *         are missing, {@link #LATE} when it came after a later one, {@link #DUPLICATE} when it
     *         had already arrived, {@link #CORRUPT} when its checksum failed
     */
    public int record(int seq, boolean valid, int length) {
        if (!valid) {
            received++;
            bytes += length;
            corrupt++;
            return CORRUPT;
        }
        int gap = seq - (int) nextExpected;       // modulo 2^32, signed
        if (gap >= 0) {
            received++;
            bytes += length;
            advance(nextExpected + gap);
            return gap == 0 ? NEXT : AHEAD;
        }
        long full = nextExpected + gap;
        if (-(long) gap <= WINDOW && full >= 0) {
            if (isSeen(full)) {
                duplicates++;
                return DUPLICATE;
            }
            mark(full, true);
        }
        received++;
        bytes += length;
        reordered++;                              // arrived after a later one
        return LATE;
    }

    /** Marks {@code arrived} seen, the ones skipped up to it unseen, and expects the one after it. */
    private void advance(long arrived) {
        long from = Math.max(nextExpected, arrived - WINDOW + 1);
        for (long s = from; s < arrived; s++) mark(s, false);
        mark(arrived, true);
        nextExpected = arrived + 1;
    }

    private boolean isSeen(long seq) {
        int bit = (int) (seq & (WINDOW - 1));
        return (seen[bit >>> 6] & (1L << bit)) != 0;
    }

    private void mark(long seq, boolean arrived) {
        int bit = (int) (seq & (WINDOW - 1));
        if (arrived) seen[bit >>> 6] |= 1L << bit;
        else seen[bit >>> 6] &= ~(1L << bit);
    }

    /** Distinct messages that arrived (a corrupt one included, a duplicate not). */
    public long received() {
        return received;
    }

    public long reordered() {
        return reordered;
    }

    /** Second (or later) copies of a message already received, within the window. */
    public long duplicates() {
        return duplicates;
    }

    public long corrupt() {
        return corrupt;
    }

    /** Bytes of the messages counted as received. */
    public long bytes() {
        return bytes;
    }

    /** Messages never received, given how many were sent. */
    public long lost(long sent) {
        return Math.max(0, sent - received);
    }

    public void reset() {
        received = reordered = duplicates = corrupt = bytes = nextExpected = 0;
        java.util.Arrays.fill(seen, 0);
    }
}
