package org.ipclab.shm;

import static org.ipclab.shm.ShmLayout.CONSUMER_CLOSED_OFFSET;
import static org.ipclab.shm.ShmLayout.CONSUMER_WAITING_OFFSET;
import static org.ipclab.shm.ShmLayout.DATA_OFFSET;
import static org.ipclab.shm.ShmLayout.HEAD_OFFSET;
import static org.ipclab.shm.ShmLayout.INT;
import static org.ipclab.shm.ShmLayout.LONG;
import static org.ipclab.shm.ShmLayout.PRODUCER_CLOSED_OFFSET;
import static org.ipclab.shm.ShmLayout.PRODUCER_WAITING_OFFSET;
import static org.ipclab.shm.ShmLayout.RECORD_HEADER;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

import org.ipclab.core.Units;
import org.ipclab.core.Channel;
import org.ipclab.core.IpcException;
import org.ipclab.core.IpcTimeoutException;
import org.ipclab.core.MessageTooLargeException;
import org.ipclab.core.PeerLiveness;
import org.ipclab.core.PeerGoneException;
import org.ipclab.core.ProtocolException;

/**
 * One end of a shared-memory channel: producer of one single-producer/single-consumer ring,
 * consumer of the other (layout: {@link ShmLayout}). No system call on the hot path: a message is
 * one copy into the mapped ring and one release store of its header word, and on the other side
 * acquire loads of that same word and one copy out — unless a side sleeps ({@link WaitStrategy#sleeps}).
 *
 * <p>Sleeping without losing a wake-up (the sleeping strategies): the consumer stores WAITING=1,
 * then re-reads the header word; the producer stores the header, then reads WAITING. Both pairs are volatile
 * (sequentially consistent) accesses, so at least one side sees the other's store: either the
 * consumer finds the data and does not sleep, or the producer finds WAITING=1, clears it with a
 * CAS and posts. A stray post only makes a later wait return early; the loop re-checks.
 */
final class ShmChannel implements Channel {
    /** How often a waiter asks whether the peer still lives and whether its time is up. */
    static final long CHECK_NANOS = 5_000_000L;
    private static final String NAME = "shm";

    private final ShmSegment segment;
    private final ByteBuffer buf;
    private final WaitStrategy wait;
    private final int capacity;
    private final long mask;
    private final int maxMessage;
    private final int outRing;
    private final int outData;
    private final int inRing;
    private final int inData;
    private final PeerLiveness peer;
    private final String peerRole;
    private final Wakeup outDataSem;
    private final Wakeup outSpaceSem;
    private final Wakeup inDataSem;
    private final Wakeup inSpaceSem;
    private final Futex futex;     // wait=futex: the receiving thread sleeps with this one (wakes use it too)
    private final Futex sendFutex; // and the sending thread with this one: each owns a timespec buffer

    // Producer state (outbound ring): where the next record goes, and the last HEAD we read.
    private long tail;
    private long headCache;
    // A sender and a receiver thread of one end (open-loop runs) must not share a cache line:
    // 128 bytes of padding between the fields each one writes (HotSpot lays out longs in order).
    @SuppressWarnings("unused")
    private long p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, p14, p15;
    // Consumer state (inbound ring): the position of the next record to read.
    private long head;
    @SuppressWarnings("unused")
    private long q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, q13, q14, q15;

    private volatile boolean closed;

    /**
     * @param creator true for the end that created the segment (it sends on ring 0)
     * @param peer    the other process, checked every {@link #CHECK_NANOS} while waiting
     */
    ShmChannel(ShmSegment segment, boolean creator, PeerLiveness peer) throws IOException {
        this(segment, creator, peer, null);
    }

    /** @param sysv the System V semaphore set, for {@link WaitStrategy#SYSV_SEM} */
    ShmChannel(ShmSegment segment, boolean creator, PeerLiveness peer, SysvSemaphores sysv) throws IOException {
        this.segment = segment;
        this.buf = segment.buffer;
        this.wait = segment.wait;
        this.capacity = segment.capacity;
        this.mask = capacity - 1;
        this.maxMessage = ShmLayout.maxMessage(capacity);
        int out = creator ? ShmLayout.CREATOR_TO_PEER : ShmLayout.PEER_TO_CREATOR;
        int in = 1 - out;
        this.outRing = ShmLayout.ringOffset(out, capacity);
        this.outData = outRing + DATA_OFFSET;
        this.inRing = ShmLayout.ringOffset(in, capacity);
        this.inData = inRing + DATA_OFFSET;
        this.peer = peer;
        this.peerRole = creator ? "peer" : "server";
        // A session starts on empty rings (a fresh segment, or resetForNextSession): both at 0.
        this.tail = 0;
        this.headCache = (long) LONG.getAcquire(buf, outRing + HEAD_OFFSET);
        this.head = (long) LONG.getAcquire(buf, inRing + HEAD_OFFSET);
        if (wait == WaitStrategy.SEMAPHORE) {
            NamedSemaphore a = null;
            NamedSemaphore b = null;
            NamedSemaphore c = null;
            try {
                a = NamedSemaphore.open(segment.dataSemaphore(out));
                b = NamedSemaphore.open(segment.spaceSemaphore(out));
                c = NamedSemaphore.open(segment.dataSemaphore(in));
                this.inSpaceSem = Wakeup.posix(NamedSemaphore.open(segment.spaceSemaphore(in)));
            } catch (IOException | RuntimeException e) {
                for (NamedSemaphore s : new NamedSemaphore[] {a, b, c}) if (s != null) s.close();
                throw e;
            }
            this.outDataSem = Wakeup.posix(a);
            this.outSpaceSem = Wakeup.posix(b);
            this.inDataSem = Wakeup.posix(c);
        } else if (wait == WaitStrategy.SYSV_SEM) {
            if (sysv == null) throw new IllegalArgumentException("wait=sysv-sem needs its semaphore set");
            this.outDataSem = sysv.member(SysvSemaphores.dataIndex(out));
            this.outSpaceSem = sysv.member(SysvSemaphores.spaceIndex(out));
            this.inDataSem = sysv.member(SysvSemaphores.dataIndex(in));
            this.inSpaceSem = sysv.member(SysvSemaphores.spaceIndex(in));
        } else {
            this.outDataSem = this.outSpaceSem = this.inDataSem = this.inSpaceSem = null;
        }
        // One Futex per waiting thread (a receiver and a sender may wait at the same time).
        this.futex = wait == WaitStrategy.FUTEX ? new Futex(buf) : null;
        this.sendFutex = wait == WaitStrategy.FUTEX ? new Futex(buf) : null;
    }

    @Override
    public int maxMessageSize() {
        return maxMessage;
    }

    WaitStrategy waitStrategy() {
        return wait;
    }

    // ---------------------------------------------------------------- sending

    @Override
    public boolean trySend(ByteBuffer message) throws IOException {
        int length = message.remaining();
        if (length > maxMessage) throw new MessageTooLargeException(NAME, length, maxMessage);
        if (closed) throw new IpcException("shm: channel is closed");
        if ((int) INT.getAcquire(buf, outRing + CONSUMER_CLOSED_OFFSET) != 0) throw peerClosed();
        int span = ShmLayout.recordSpan(length);
        long room = ShmLayout.roomNeeded(span);
        if (tail + room - headCache > capacity) {
            headCache = (long) LONG.getAcquire(buf, outRing + HEAD_OFFSET);
            if (tail + room - headCache > capacity) return false;
        }
        int index = (int) (tail & mask);
        int at = index + RECORD_HEADER;
        if (at == capacity) at = 0;
        int first = Math.min(length, capacity - at);
        int from = message.position();
        buf.put(outData + at, message, from, first);
        if (first < length) buf.put(outData, message, from + first, length - first); // wrapped
        // The next record's header word is 0 before this one is published: the consumer's next look.
        LONG.set(buf, outData + (int) ((tail + span) & mask), 0L);
        long header = ShmLayout.header(tail, length);
        tail += span;
        if (!wait.sleeps()) {
            LONG.setRelease(buf, outData + index, header);
        } else {
            LONG.setVolatile(buf, outData + index, header);
            wake(outRing + CONSUMER_WAITING_OFFSET, outDataSem);
        }
        return true;
    }

    @Override
    public void send(ByteBuffer message, Duration timeout) throws IOException {
        if (trySend(message)) return;
        long start = System.nanoTime();
        long deadline = start + nanos(timeout);
        long nextCheck = start + CHECK_NANOS;
        long room = ShmLayout.roomNeeded(ShmLayout.recordSpan(message.remaining()));
        for (int n = 0; ; n++) {
            if (wait.sleeps()) {
                sleepUntilSpace(room, deadline);
            } else {
                wait.idle(n);
            }
            if (trySend(message)) return;
            if (!wait.cheapStep() || (n & 255) == 0) {
                long now = System.nanoTime();
                if (now - deadline >= 0) throw new IpcTimeoutException("shm send (the peer did not make room)", timeout);
                if (now - nextCheck >= 0) {
                    checkPeer();
                    nextCheck = now + CHECK_NANOS;
                }
            }
        }
    }

    private void sleepUntilSpace(long room, long deadline) throws IOException {
        int flag = outRing + PRODUCER_WAITING_OFFSET;
        INT.setVolatile(buf, flag, 1);
        try {
            if (tail + room - (long) LONG.getVolatile(buf, outRing + HEAD_OFFSET) <= capacity) return;
            if ((int) INT.getVolatile(buf, outRing + CONSUMER_CLOSED_OFFSET) != 0) return;
            if (outSpaceSem != null) outSpaceSem.acquire(slice(deadline));
            else sendFutex.await(flag, 1, slice(deadline));
        } finally {
            INT.setVolatile(buf, flag, 0);
        }
    }

    // ---------------------------------------------------------------- receiving

    @Override
    public int tryReceive(ByteBuffer into) throws IOException {
        if (closed) throw new IpcException("shm: channel is closed");
        int index = (int) (head & mask);
        long header = (long) LONG.getAcquire(buf, inData + index);
        if (header == 0) {
            if ((int) INT.getAcquire(buf, inRing + PRODUCER_CLOSED_OFFSET) == 0) return NO_MESSAGE;
            header = (long) LONG.getAcquire(buf, inData + index); // a last record before the close?
            if (header == 0) return END_OF_STREAM;
        }
        int length = (int) header;
        if ((int) (header >>> 32) != ShmLayout.tag(head) || length < 0 || length > maxMessage) {
            throw new ProtocolException("shm: corrupt record at position " + head + " (header 0x" + Long.toHexString(header)
                    + ", expected tag 0x" + Integer.toHexString(ShmLayout.tag(head)) + " and a length up to " + maxMessage + ")");
        }
        if (into.remaining() < length) {
            throw new IllegalArgumentException("receive buffer has room for " + into.remaining() + " bytes; the message has " + length);
        }
        int at = index + RECORD_HEADER;
        if (at == capacity) at = 0;
        int first = Math.min(length, capacity - at);
        int to = into.position();
        into.put(to, buf, inData + at, first);
        if (first < length) into.put(to + first, buf, inData, length - first); // wrapped
        into.position(to + length);
        head += ShmLayout.recordSpan(length);
        if (!wait.sleeps()) {
            LONG.setRelease(buf, inRing + HEAD_OFFSET, head);
        } else {
            LONG.setVolatile(buf, inRing + HEAD_OFFSET, head);
            wake(inRing + PRODUCER_WAITING_OFFSET, inSpaceSem);
        }
        return length;
    }

    @Override
    public int receive(ByteBuffer into, Duration timeout) throws IOException {
        int n = tryReceive(into);
        if (n != NO_MESSAGE) return n;
        long start = System.nanoTime();
        long deadline = start + nanos(timeout);
        long nextCheck = start + CHECK_NANOS;
        for (int i = 0; ; i++) {
            if (wait.sleeps()) {
                sleepUntilData(deadline);
            } else {
                wait.idle(i);
            }
            n = tryReceive(into);
            if (n != NO_MESSAGE) return n;
            if (!wait.cheapStep() || (i & 255) == 0) {
                long now = System.nanoTime();
                if (now - deadline >= 0) throw new IpcTimeoutException("shm receive", timeout);
                if (now - nextCheck >= 0) {
                    checkPeer();
                    nextCheck = now + CHECK_NANOS;
                }
            }
        }
    }

    private void sleepUntilData(long deadline) throws IOException {
        int flag = inRing + CONSUMER_WAITING_OFFSET;
        INT.setVolatile(buf, flag, 1);
        try {
            if ((long) LONG.getVolatile(buf, inData + (int) (head & mask)) != 0) return;
            if ((int) INT.getVolatile(buf, inRing + PRODUCER_CLOSED_OFFSET) != 0) return;
            if (inDataSem != null) inDataSem.acquire(slice(deadline));
            else futex.await(flag, 1, slice(deadline));
        } finally {
            INT.setVolatile(buf, flag, 0);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** If the other side announced it sleeps on {@code sem}, take its WAITING word (so only one post per sleep) and post. */
    private void wake(int waitingOffset, Wakeup sem) throws IOException {
        if ((int) INT.getVolatile(buf, waitingOffset) != 0 && INT.compareAndSet(buf, waitingOffset, 1, 0)) {
            if (sem != null) sem.release();
            else futex.wake(waitingOffset); // a FUTEX_WAIT that has not started yet sees 0 and returns at once
        }
    }

    /** One clamp for every timeout: {@link Units#nanos}. */
    static long nanos(Duration timeout) {
        return Units.nanos(timeout);
    }

    /** A semaphore sleep ends at the deadline or after {@link #CHECK_NANOS}, whichever is first, so we look at the peer. */
    private static Duration slice(long deadline) {
        long left = deadline - System.nanoTime();
        return Duration.ofNanos(Math.max(1, Math.min(left, CHECK_NANOS)));
    }

    private void checkPeer() throws IOException {
        if (closed) throw new IpcException("shm: channel is closed");
        if (!peer.alive()) throw new PeerGoneException("shm: " + peer + " died while we waited");
    }

    private PeerGoneException peerClosed() {
        return new PeerGoneException("shm: " + peer + " closed its end");
    }

    /** Ends the outbound stream (the peer's receive returns END_OF_STREAM once drained) and stops reading. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        INT.setVolatile(buf, outRing + PRODUCER_CLOSED_OFFSET, 1);
        INT.setVolatile(buf, inRing + CONSUMER_CLOSED_OFFSET, 1);
        if (futex != null) {
            try {
                INT.setVolatile(buf, outRing + CONSUMER_WAITING_OFFSET, 0);
                futex.wake(outRing + CONSUMER_WAITING_OFFSET);
                INT.setVolatile(buf, inRing + PRODUCER_WAITING_OFFSET, 0);
                futex.wake(inRing + PRODUCER_WAITING_OFFSET);
            } catch (IOException ignored) {
                // the peer's own checks still end its wait within CHECK_NANOS
            }
        }
        if (outDataSem != null) {
            try {
                outDataSem.release();  // a peer asleep in receive wakes and sees the close
                inSpaceSem.release();  // a peer asleep in send wakes and sees the close
            } catch (IOException ignored) {
                // the peer's own checks still end its wait within CHECK_NANOS
            }
            for (Wakeup s : new Wakeup[] {outDataSem, outSpaceSem, inDataSem, inSpaceSem}) s.close();
        }
        // The mapping itself goes away when the buffer is garbage-collected (Java 17 has no unmap).
    }

    ShmSegment segment() {
        return segment;
    }
}
