package org.ipclab.core.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Duplicates are told apart from late messages and never make up for a lost one. */
class IntegrityTest {
    private final Integrity in = new Integrity();

    @Test
    void aSecondCopyIsADuplicateNotReceivedTwice() {
        assertEquals(Integrity.NEXT, in.record(0, true, 8));
        assertEquals(Integrity.NEXT, in.record(1, true, 8));
        assertEquals(Integrity.DUPLICATE, in.record(1, true, 8));
        assertEquals(Integrity.DUPLICATE, in.record(0, true, 8));
        assertEquals(2, in.received());
        assertEquals(2, in.duplicates());
        assertEquals(0, in.reordered());
        assertEquals(16, in.bytes());
        // Two sent, two copies of them: nothing lost, and a third sent is lost whatever the copies.
        assertEquals(0, in.lost(2));
        assertEquals(1, in.lost(3));
    }

    @Test
    void aLateOneIsReorderedOnceAndItsCopyIsADuplicate() {
        in.record(0, true, 8);
        assertEquals(Integrity.AHEAD, in.record(2, true, 8));
        assertEquals(Integrity.LATE, in.record(1, true, 8));
        assertEquals(Integrity.DUPLICATE, in.record(1, true, 8));
        assertEquals(Integrity.DUPLICATE, in.record(2, true, 8));
        assertEquals(3, in.received());
        assertEquals(1, in.reordered());
        assertEquals(2, in.duplicates());
    }

    @Test
    void aCorruptMessageIsNeitherDuplicateNorReordered() {
        in.record(0, true, 8);
        assertEquals(Integrity.CORRUPT, in.record(0, false, 8));
        assertEquals(2, in.received());
        assertEquals(1, in.corrupt());
        assertEquals(0, in.duplicates());
    }

    @Test
    void aJumpBeyondTheWindowForgetsWhatCameBefore() {
        in.record(0, true, 8);
        in.record(Integrity.WINDOW * 3, true, 8);
        // Within the window below the jump: never seen, so late, not a duplicate.
        assertEquals(Integrity.LATE, in.record(Integrity.WINDOW * 3 - 5, true, 8));
        // Older than the window: it cannot be told, so it is late.
        assertEquals(Integrity.LATE, in.record(0, true, 8));
        assertEquals(0, in.duplicates());
    }

    @Test
    void sequenceNumbersWrapAt32Bits() {
        in.record(0, true, 8);
        in.record(0x7FFF_FFFF, true, 8);
        in.record((int) 0xFFFF_FFFEL, true, 8);
        assertEquals(Integrity.NEXT, in.record((int) 0xFFFF_FFFFL, true, 8));
        assertEquals(Integrity.NEXT, in.record(0, true, 8)); // 2^32 on the wire as 0
        assertEquals(0, in.reordered());
        assertEquals(Integrity.DUPLICATE, in.record((int) 0xFFFF_FFFFL, true, 8));
        assertEquals(5, in.received());
    }

    @Test
    void resetForgetsTheWindow() {
        in.record(0, true, 8);
        in.reset();
        assertEquals(Integrity.NEXT, in.record(0, true, 8));
        assertEquals(0, in.duplicates());
    }
}
