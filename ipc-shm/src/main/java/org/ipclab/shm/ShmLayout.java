package org.ipclab.shm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import org.ipclab.core.BadInputException;

/**
 * The memory layout of a segment, in one place. Every offset is named here and nowhere else.
 *
 * <pre>
 *  offset                       owner      content
 *  ───────────────────────────  ─────────  ──────────────────────────────────────────────
 *  HEADER (128 B)
 *    0  MAGIC            long   creator    "IPCLABRB" — written last, with release
 *    8  VERSION          int    creator    {@link #VERSION}
 *   12  CAPACITY         int    creator    data bytes per ring (power of two)
 *   16  CREATOR_PID      long   creator    liveness: a crashed creator leaves a stale segment
 *   24  PEER_PID         long   peer       0 until a peer attaches (CAS 0 → pid: one peer only)
 *   32  WAIT_STRATEGY    int    creator    ordinal of {@link WaitStrategy}: both sides wait alike
 *  RING 0 (creator → peer), then RING 1 (peer → creator), each:
 *    +0    HEAD              long  consumer   bytes ever consumed (position, never wraps)
 *    +128  CONSUMER_WAITING  int   consumer   1 = about to sleep until a record is published
 *    +256  PRODUCER_WAITING  int   producer   1 = about to sleep on the space semaphore
 *    +384  PRODUCER_CLOSED   int   producer   1 = no more records will come       } written once,
 *    +392  CONSUMER_CLOSED   int   consumer   1 = nobody will read any more       } read on every send
 *    +512  DATA              capacity bytes of records
 *  RECORD at (position &amp; (capacity-1)), always 8-aligned:
 *    +0 HEADER long: low 32 bits the payload length, high 32 bits {@link #tag} of the position;
 *       0 = not published yet. Written last, with release.
 *    +8 payload (wraps to the start of DATA if it must), padded so the next record starts 8-aligned.
 * </pre>
 *
 * <p><b>The consumer polls the record header, not a counter.</b> The producer copies the payload
 * in, stores 0 into the header word of the <em>next</em> record, and only then publishes this
 * record's header with a release store. The consumer spins on the header word at its own
 * position with acquire loads: 0 means "not yet", the expected tag means "here it is" (and the
 * release/acquire pair makes the payload visible), anything else is a corrupt ring. So a hand-off
 * moves the record's own cache lines to the consumer and nothing else — with a published TAIL
 * counter the consumer would also pull TAIL's line on every message. The consumer still
 * publishes HEAD, but the producer reads it only when its cached copy says the ring is full
 * (Agrona's and Aeron's technique), so HEAD's line stays in the consumer's cache.
 *
 * <p>The zeroed next header is why a record needs {@link #RECORD_HEADER} bytes of room beyond
 * its own span, and why the largest message is {@code capacity - 16}: the word the producer
 * clears must not hold a record the consumer has not read. Stale bytes of an older lap are never
 * mistaken for a header: the consumer reads only a header word the producer cleared first (the
 * first one, at position 0, is zero in a fresh or reset segment). The tag — the position's
 * 8-byte index with the top bit set — makes a header from another position or session an error,
 * not a message.
 *
 * <p>Each control field sits on its own 128-byte block (two 64-byte cache lines, because the
 * adjacent-line prefetcher pulls lines in pairs): the consumer's writes to HEAD never invalidate
 * a line the producer writes. Without this padding the two cores would fight over one line on
 * every message — "false sharing".
 *
 * <p>Cross-process ordering: acquire/release on a {@code byteBufferViewVarHandle} of a mapped
 * file works between JVMs: on x86 they compile to plain loads/stores with compiler barriers, and
 * the hardware's total store order does the rest.
 */
final class ShmLayout {
    static final long MAGIC = 0x4252_4241_4C43_5049L; // "IPCLABRB" little-endian
    /** 2: the consumer polls record headers (version 1 published a TAIL counter). */
    static final int VERSION = 2;
    static final int CACHE_LINE = 64;
    /** One block per independently written field: two cache lines (adjacent-line prefetch). */
    static final int BLOCK = 2 * CACHE_LINE;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 8;
    static final int CAPACITY_OFFSET = 12;
    static final int CREATOR_PID_OFFSET = 16;
    static final int PEER_PID_OFFSET = 24;
    static final int WAIT_STRATEGY_OFFSET = 32;
    static final int HEADER_LENGTH = BLOCK;

    static final int HEAD_OFFSET = 0;
    static final int CONSUMER_WAITING_OFFSET = BLOCK;
    static final int PRODUCER_WAITING_OFFSET = 2 * BLOCK;
    /** Both close flags share a block: each is written once, so the line stays cached on both cores. */
    static final int PRODUCER_CLOSED_OFFSET = 3 * BLOCK;
    static final int CONSUMER_CLOSED_OFFSET = 3 * BLOCK + 8;
    static final int DATA_OFFSET = 4 * BLOCK;

    static final int RECORD_HEADER = 8;
    static final int RECORD_ALIGNMENT = 8;

    /** Ring 0 carries creator → peer, ring 1 peer → creator. */
    static final int CREATOR_TO_PEER = 0;
    static final int PEER_TO_CREATOR = 1;

    static final int MIN_CAPACITY = 64;
    /** A MappedByteBuffer is int-indexed; two rings and the header must fit in one. */
    static final int MAX_CAPACITY = 1 << 29;

    /** getAcquire/setRelease/getVolatile/compareAndSet on aligned 8-byte slots of a (mapped) ByteBuffer. */
    static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private ShmLayout() {
    }

    /** Start of ring {@code ring} (0 or 1) for a given capacity. */
    static int ringOffset(int ring, int capacity) {
        return HEADER_LENGTH + ring * (DATA_OFFSET + capacity);
    }

    /** Size of the whole segment file. */
    static long segmentLength(int capacity) {
        return HEADER_LENGTH + 2L * (DATA_OFFSET + capacity);
    }

    /** Bytes a record of {@code length} payload bytes takes in the ring, header and padding included. */
    static int recordSpan(int length) {
        return align(RECORD_HEADER + length);
    }

    static int align(int n) {
        return (n + RECORD_ALIGNMENT - 1) & -RECORD_ALIGNMENT;
    }

    /** The largest payload a ring of this capacity holds: one record and the next (cleared) header fill it. */
    static int maxMessage(int capacity) {
        return capacity - 2 * RECORD_HEADER;
    }

    /** Bytes free in the ring that a record of this span needs: its own and the next header word, which the producer clears. */
    static long roomNeeded(int span) {
        return span + RECORD_HEADER;
    }

    /** The high half of a record header: the position's 8-byte index, top bit set so no header is 0. */
    static int tag(long position) {
        return (int) (position >>> 3) | Integer.MIN_VALUE;
    }

    /** The header word published for a record of {@code length} bytes at {@code position}. */
    static long header(long position, int length) {
        return (long) tag(position) << 32 | (length & 0xFFFF_FFFFL);
    }

    /** Checks a user-given capacity: a power of two, big enough for a header plus a message, small enough to map. */
    static int checkCapacity(long capacity) {
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY) {
            throw new BadInputException("shm capacity " + capacity + " is out of range (" + MIN_CAPACITY
                    + " to " + MAX_CAPACITY + " bytes: a record header of " + RECORD_HEADER + " bytes plus messages must fit)");
        }
        if (Long.bitCount(capacity) != 1) {
            throw new BadInputException("shm capacity " + capacity + " is not a power of two (try "
                    + Long.highestOneBit(capacity) + " or " + (Long.highestOneBit(capacity) << 1) + ")");
        }
        return (int) capacity;
    }
}
