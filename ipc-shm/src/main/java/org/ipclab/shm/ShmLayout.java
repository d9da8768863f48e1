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
 *    +0    TAIL              long  producer   bytes ever written (position, never wraps)
 *    +128  HEAD              long  consumer   bytes ever consumed
 *    +256  CONSUMER_WAITING  int   consumer   1 = about to sleep on the data semaphore
 *    +384  PRODUCER_WAITING  int   producer   1 = about to sleep on the space semaphore
 *    +512  PRODUCER_CLOSED   int   producer   1 = no more records will come       } written once,
 *    +520  CONSUMER_CLOSED   int   consumer   1 = nobody will read any more       } read on every send
 *    +640  DATA              capacity bytes of records
 *  RECORD at (position &amp; (capacity-1)), always 8-aligned:
 *    +0 LENGTH int, +4 reserved int, +8 payload (wraps to the start of DATA if it must),
 *    padded so the next record starts 8-aligned.
 * </pre>
 *
 * <p>Each counter sits on its own 128-byte block (two 64-byte cache lines, because the adjacent-line
 * prefetcher pulls lines in pairs): the producer's writes to TAIL never invalidate the line the
 * consumer writes HEAD on. Without this padding the two cores would fight over one line on every
 * message — "false sharing".
 *
 * <p>Cross-process ordering: the producer writes the record with plain stores, then publishes TAIL
 * with a release store; the consumer reads TAIL with an acquire load before it reads the record,
 * and publishes HEAD with release once it has copied the record out. Acquire/release on a
 * {@code byteBufferViewVarHandle} of a mapped file work between JVMs: they compile to
 * plain x86 loads/stores with compiler barriers, and the hardware's total store order does the rest.
 */
final class ShmLayout {
    static final long MAGIC = 0x4252_4241_4C43_5049L; // "IPCLABRB" little-endian
    static final int VERSION = 1;
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

    static final int TAIL_OFFSET = 0;
    static final int HEAD_OFFSET = BLOCK;
    static final int CONSUMER_WAITING_OFFSET = 2 * BLOCK;
    static final int PRODUCER_WAITING_OFFSET = 3 * BLOCK;
    /** Both close flags share a block: each is written once, so the line stays cached on both cores. */
    static final int PRODUCER_CLOSED_OFFSET = 4 * BLOCK;
    static final int CONSUMER_CLOSED_OFFSET = 4 * BLOCK + 8;
    static final int DATA_OFFSET = 5 * BLOCK;

    static final int RECORD_HEADER = 8;
    static final int RECORD_LENGTH_OFFSET = 0;
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

    /** The largest payload a ring of this capacity holds: one record filling the whole ring. */
    static int maxMessage(int capacity) {
        return capacity - RECORD_HEADER;
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
