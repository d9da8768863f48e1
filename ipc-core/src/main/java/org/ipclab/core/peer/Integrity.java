package org.ipclab.core.peer;

/**
 * Counts what arrived against what was sent: received, lost, reordered, duplicated, corrupt.
 * Sequence numbers travel as 32 bits; this keeps the full count and compares modulo 2^32.
 */
public final class Integrity {
    private long received;
    private long reordered;
    private long corrupt;
    private long bytes;
    private long nextExpected;

    /** Records one message; {@code valid} is the checksum verdict. Returns true when it was the next one expected. */
    public boolean record(int seq, boolean valid, int length) {
        received++;
        bytes += length;
        if (!valid) {
            corrupt++;
            return false;
        }
        int gap = seq - (int) nextExpected;       // modulo 2^32, signed
        if (gap == 0) {
            nextExpected++;
            return true;
        }
        if (gap > 0) {
            nextExpected += gap + 1L;              // skipped ones are lost unless they come late
            return false;
        }
        reordered++;                              // arrived after a later one
        return false;
    }

    public long received() {
        return received;
    }

    public long reordered() {
        return reordered;
    }

    public long corrupt() {
        return corrupt;
    }

    public long bytes() {
        return bytes;
    }

    /** Messages never received, given how many were sent. */
    public long lost(long sent) {
        return Math.max(0, sent - received);
    }

    public void reset() {
        received = reordered = corrupt = bytes = nextExpected = 0;
    }
}
