package org.ipclab.bench.fanin;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.ipclab.bench.Results;
import org.ipclab.bench.counters.ThreadCounters;
import org.ipclab.bench.counters.ThreadSample;
import org.ipclab.core.Channel;

/**
 * The server's kernel counters over the clients' common window, read by each session's own thread:
 * the runner opens and closes the window ({@link #open}, {@link #close}) by the clock, and a
 * session's thread reads its own /proc at its first receive after each edge, so its counts bracket
 * its work to the message. A thread sweeping the server's every thread instead waits its turn
 * among N busy clients on two CPUs (0.3–0.6 s at 16 clients) and misses the window's edges.
 * A session that ends first (its client killed, a stranger gone) counts until its close.
 */
final class SessionCounters {
    private static final int BEFORE = 0, OPEN = 1, CLOSED = 2;
    private volatile int phase = BEFORE;
    private final List<ThreadSample[]> done = new ArrayList<>();
    private final AtomicInteger pending = new AtomicInteger();

    /** With the reading of /proc compiled, so that the first reads at the window's edges are not slow. */
    SessionCounters() {
        new ThreadCounters("server").warm();
    }

    void open() {
        phase = OPEN;
    }

    void close() {
        phase = CLOSED;
    }

    /** The session's channel, its receives watching for the window's edges. */
    Watched watch(Channel session) {
        return new Watched(session);
    }

    /**
     * The server's totals over the window (its messages unknown here: 0), once every session that
     * began counting has ended its count, or {@code wait} has passed; the note names what was left out.
     */
    Counted settle(Duration wait) {
        long by = System.nanoTime() + wait.toNanos();
        while (pending.get() > 0 && System.nanoTime() - by < 0) java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
        int left = pending.get();
        List<ThreadSample[]> phases;
        synchronized (done) {
            phases = List.copyOf(done);
        }
        Results.Counters c = ThreadCounters.of("server", ProcessHandle.current().pid(), phases, 0, "message",
                "no session thread counted the window (none received a message in it)");
        return new Counted(c, left == 0 ? null : left + " session(s) had not ended their count " + wait.toMillis()
                + " ms after the run: their counts are left out of the server's");
    }

    record Counted(Results.Counters totals, String note) {
    }

    final class Watched implements Channel {
        private final Channel ch;
        private final ThreadCounters reader = new ThreadCounters("server");
        private ThreadSample before;
        private boolean ended;

        Watched(Channel ch) {
            this.ch = ch;
        }

        /** Per receive: one volatile read, and the lock only at an edge not yet taken. */
        private void edge() {
            int p = phase;
            if (p == OPEN ? before == null && !ended : p == CLOSED && !ended) take(p);
        }

        private synchronized void take(int p) {
            if (ended) return;
            if (p == OPEN && before == null) {
                before = reader.readSelf();
                if (before != null) pending.incrementAndGet();
                else ended = true; // /proc cannot tell this thread: not counted
            } else if (p == CLOSED) {
                if (before != null) end();
                else ended = true; // began after the window: nothing of it to count
            }
        }

        /** By the session thread's id: a close may come from another thread. */
        private void end() {
            ended = true;
            ThreadSample after = reader.read(before.tid(), false);
            if (!after.values().isEmpty()) {
                synchronized (done) {
                    done.add(new ThreadSample[] {before, after});
                }
            }
            pending.decrementAndGet();
        }

        @Override
        public void send(ByteBuffer message, Duration timeout) throws IOException {
            ch.send(message, timeout);
        }

        @Override
        public int receive(ByteBuffer into, Duration timeout) throws IOException {
            edge();
            return ch.receive(into, timeout);
        }

        @Override
        public boolean trySend(ByteBuffer message) throws IOException {
            return ch.trySend(message);
        }

        @Override
        public int tryReceive(ByteBuffer into) throws IOException {
            edge();
            return ch.tryReceive(into);
        }

        @Override
        public int maxMessageSize() {
            return ch.maxMessageSize();
        }

        @Override
        public String peer() {
            return ch.peer();
        }

        /** Ends this session's count now (its last message is past), if it is counting. */
        synchronized void stop() {
            if (before != null && !ended) end();
            ended = true;
        }

        @Override
        public void close() throws IOException {
            try {
                ch.close();
            } finally {
                stop();
            }
        }
    }
}
