package org.ipclab.core.reliable;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import org.ipclab.core.Channel;
import org.ipclab.core.IpcTimeoutException;

/**
 * Two in-process datagram channels joined back to back that lose messages on purpose: each
 * direction drops the k-th, 2k-th, ... of the datagrams its filter selects (0 = drop none,
 * 1 = drop all selected). A dropped datagram is counted, never delivered.
 */
final class LossyPair {
    final End a;
    final End b;

    LossyPair(int dropEveryAtoB, Predicate<ByteBuffer> selectAtoB, int dropEveryBtoA, Predicate<ByteBuffer> selectBtoA) {
        LinkedBlockingQueue<byte[]> ab = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<byte[]> ba = new LinkedBlockingQueue<>();
        a = new End(ab, ba, dropEveryAtoB, selectAtoB);
        b = new End(ba, ab, dropEveryBtoA, selectBtoA);
    }

    static Predicate<ByteBuffer> all() {
        return m -> true;
    }

    static boolean isAck(ByteBuffer m) {
        return m.remaining() == AckedChannel.HEADER && m.order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(m.position()) == AckedChannel.ACK_MAGIC;
    }

    static boolean isAcked(ByteBuffer m) {
        return m.remaining() >= AckedChannel.HEADER && m.order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(m.position()) == AckedChannel.ACKED_MAGIC;
    }

    static final class End implements Channel {
        private final LinkedBlockingQueue<byte[]> out;
        private final LinkedBlockingQueue<byte[]> in;
        private final int dropEvery;
        private final Predicate<ByteBuffer> select;
        private final AtomicInteger selected = new AtomicInteger();
        final AtomicInteger sent = new AtomicInteger();
        final AtomicInteger dropped = new AtomicInteger();

        End(LinkedBlockingQueue<byte[]> out, LinkedBlockingQueue<byte[]> in, int dropEvery, Predicate<ByteBuffer> select) {
            this.out = out;
            this.in = in;
            this.dropEvery = dropEvery;
            this.select = select;
        }

        @Override
        public void send(ByteBuffer message, Duration timeout) {
            trySend(message);
        }

        @Override
        public boolean trySend(ByteBuffer message) {
            sent.incrementAndGet();
            ByteBuffer view = message.duplicate();
            if (select.test(view.duplicate()) && dropEvery > 0 && selected.incrementAndGet() % dropEvery == 0) {
                dropped.incrementAndGet();
                return true; // "sent": a datagram network does not say it lost one
            }
            byte[] copy = new byte[view.remaining()];
            view.get(copy);
            out.add(copy);
            return true;
        }

        @Override
        public int receive(ByteBuffer into, Duration timeout) throws IpcTimeoutException {
            byte[] m;
            try {
                m = in.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IpcTimeoutException("lossy receive (interrupted)", timeout);
            }
            if (m == null) throw new IpcTimeoutException("lossy receive", timeout);
            into.put(m);
            return m.length;
        }

        @Override
        public int tryReceive(ByteBuffer into) {
            byte[] m = in.poll();
            if (m == null) return NO_MESSAGE;
            into.put(m);
            return m.length;
        }

        @Override
        public int maxMessageSize() {
            return 1500;
        }

        @Override
        public void close() {
        }
    }
}
