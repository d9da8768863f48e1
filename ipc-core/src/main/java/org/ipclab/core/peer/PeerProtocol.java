package org.ipclab.core.peer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

import org.ipclab.core.Capability;
import org.ipclab.core.Channel;
import org.ipclab.core.IpcException;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.reliable.AckedChannel;

/**
 * What the runner and its peer say to each other over the channel under test. Chosen once, from the
 * mechanism's capabilities ({@link #of}); nothing else compares sizes to decide.
 *
 * <ul>
 *   <li>{@link #CONTROL}: HELLO first, then every message is echoed; STOP ends it; SINK … SINK_END
 *       switches to counting verified probes and answers with STATS ({@link Control}). Latency probes
 *       are {@link Probe}s: sequence, timestamp and checksum, at least {@value Probe#MIN_SIZE} bytes.</li>
 *   <li>{@link #NOTIFICATION}: for channels whose messages carry a few bytes (signals). An empty
 *       message stands for HELLO, every message is echoed, and closing our end stands for STOP; no
 *       sink, so no throughput; a probe is the sequence number alone (4 bytes) or nothing (0 bytes).</li>
 * </ul>
 */
public enum PeerProtocol {
    CONTROL {
        @Override
        public void serve(Channel channel, Duration idle) throws IOException {
            serveControl(channel, idle);
        }

        @Override
        public long awaitHello(Channel channel, Duration timeout) throws IOException {
            ByteBuffer buffer = receiveBuffer(channel);
            int n = channel.receive(buffer, timeout);
            buffer.flip();
            if (n < 0) throw new IpcException("the other end closed the channel before HELLO");
            if (Control.opcode(buffer, n) == Control.REFUSED && n >= 20) {
                throw new IpcException("the server refused this client: it serves at most " + Control.arg(buffer, 0) + " clients at once");
            }
            if (Control.opcode(buffer, n) != Control.HELLO || n < 20) {
                throw new IpcException("the other end's first message was not HELLO (not an ipclab peer or server?)");
            }
            return Control.arg(buffer, 0);
        }

        @Override
        public void stop(Channel channel, Duration timeout) throws IOException {
            AckedChannel.send(channel, Control.message(Control.STOP), timeout);
        }

        @Override
        public boolean sinks() {
            return true;
        }

        @Override
        public Probes probes(int size) {
            return new TimestampedProbes(size);
        }

        @Override
        public int minimumProbe() {
            return Probe.MIN_SIZE;
        }
    },

    NOTIFICATION {
        @Override
        public void serve(Channel channel, Duration idle) throws IOException {
            channel.send(ByteBuffer.allocate(0), SEND);
            ByteBuffer buffer = ByteBuffer.allocateDirect(Math.max(channel.maxMessageSize(), 8));
            while (true) {
                buffer.clear();
                int n = channel.receive(buffer, idle);
                if (n == Channel.END_OF_STREAM) return;
                buffer.flip();
                channel.send(buffer, SEND);
            }
        }

        @Override
        public long awaitHello(Channel channel, Duration timeout) throws IOException {
            if (channel.receive(receiveBuffer(channel), timeout) < 0) throw new IpcException("peer closed the channel before its first message");
            return -1;
        }

        @Override
        public void stop(Channel channel, Duration timeout) throws IOException {
            channel.close(); // the channel's end-of-stream signal stands for STOP
        }

        @Override
        public boolean sinks() {
            return false;
        }

        @Override
        public Probes probes(int size) {
            return new SequenceProbes(size);
        }

        @Override
        public int minimumProbe() {
            return 0;
        }
    };

    /** How long a serving peer waits for the next message. */
    static final Duration IDLE = Duration.ofHours(24);
    static final Duration SEND = Duration.ofSeconds(30);

    public static PeerProtocol of(MechanismInfo info) {
        return info.has(Capability.NOTIFICATION) ? NOTIFICATION : CONTROL;
    }

    /** Peer side: greet, then answer until told to stop or the other end closes. */
    public void serve(Channel channel) throws IOException {
        serve(channel, IDLE);
    }

    /**
     * Server side ({@code ipc serve}): the same, but a client that stays silent — or sends half a
     * message — for {@code idle} is dropped, and one that does not read its replies is dropped
     * after {@code idle} too.
     */
    public abstract void serve(Channel channel, Duration idle) throws IOException;

    /** Runner or client side: the other end's greeting, which proves the channel works both ways; returns the pid it names (-1: none). */
    public abstract long awaitHello(Channel channel, Duration timeout) throws IOException;

    /** Runner side: ask the peer to exit. */
    public abstract void stop(Channel channel, Duration timeout) throws IOException;

    /** Whether the peer can count a one-way stream (SINK … STATS): throughput needs it. */
    public abstract boolean sinks();

    /** Latency probes of {@code size} bytes. */
    public abstract Probes probes(int size);

    /** The smallest probe this protocol can verify. */
    public abstract int minimumProbe();

    /**
     * A reusable latency probe: stamp a sequence number into {@link #message()}, send it, and check
     * that what came back is the intact echo of that probe. No allocation per probe.
     */
    public interface Probes {
        /** The message to send, ready (position 0, limit = size) after {@link #stamp}. */
        ByteBuffer message();

        void stamp(long seq, long sentNanos);

        /** The low 32 bits of the echoed probe's sequence, or {@link #CORRUPT} when {@code in} (flipped, {@code n} bytes) is not an intact probe. */
        long verify(ByteBuffer in, int n);

        /** {@link #verify}: not an intact probe of this size. */
        long CORRUPT = -1;
    }

    private static final class TimestampedProbes implements Probes {
        private final Probe probe = new Probe();
        private final ByteBuffer out;
        private final int fill;
        private final int size;

        TimestampedProbes(int size) {
            this.size = size;
            this.out = Probe.newBuffer(size);
            this.fill = probe.fillChecksum(out);
        }

        @Override
        public ByteBuffer message() {
            return out;
        }

        @Override
        public void stamp(long seq, long sentNanos) {
            probe.stamp(out, seq, sentNanos, fill);
        }

        @Override
        public long verify(ByteBuffer in, int n) {
            if (n != size || !probe.verify(in, n)) return CORRUPT;
            return Integer.toUnsignedLong(Probe.sequence(in));
        }
    }

    /** 4 bytes or more: the sequence number; fewer: nothing to check but the length. */
    private static final class SequenceProbes implements Probes {
        private final ByteBuffer out;
        private final int size;
        private long seq;

        SequenceProbes(int size) {
            this.size = size;
            this.out = ByteBuffer.allocateDirect(Math.max(size, 4)).order(ByteOrder.LITTLE_ENDIAN);
            out.limit(size);
        }

        @Override
        public ByteBuffer message() {
            return out;
        }

        @Override
        public void stamp(long seq, long sentNanos) {
            this.seq = seq;
            out.clear().limit(size);
            if (size >= 4) out.putInt(0, (int) seq);
        }

        @Override
        public long verify(ByteBuffer in, int n) {
            if (n != size) return CORRUPT;
            if (size < 4) return seq & 0xFFFF_FFFFL; // an empty echo can only be the echo of the last probe
            return Integer.toUnsignedLong(in.order(ByteOrder.LITTLE_ENDIAN).getInt(0));
        }
    }

    private static ByteBuffer receiveBuffer(Channel channel) {
        return ByteBuffer.allocateDirect(Math.max(64, channel.maxMessageSize())).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The HELLO / echo / sink loop; returns after STOP or when the runner closed its end. Control
     * messages go through {@link AckedChannel#send}: acknowledged when the channel was wrapped for an
     * unreliable mechanism ({@link AckedChannel#over}), plain otherwise.
     */
    static void serveControl(Channel channel, Duration idle) throws IOException {
        Duration send = idle.compareTo(SEND) < 0 ? idle : SEND;
        AckedChannel.send(channel, Control.message(Control.HELLO, ProcessHandle.current().pid()), send);
        ByteBuffer buffer = ByteBuffer.allocateDirect(Math.max(channel.maxMessageSize(), 64)).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer reply = ByteBuffer.allocateDirect(128).order(ByteOrder.LITTLE_ENDIAN);
        Probe probe = new Probe();
        Integrity integrity = new Integrity();
        boolean sinking = false;
        long runId = 0;
        long firstArrival = 0;
        long lastArrival = 0;
        while (true) {
            buffer.clear();
            int n = channel.receive(buffer, idle);
            if (n == Channel.END_OF_STREAM) return;
            buffer.flip();
            int op = Control.opcode(buffer, n);
            if (op == Control.STOP) return;
            if (op == Control.SINK) {
                sinking = true;
                runId = n >= 20 ? Control.arg(buffer, 0) : 0; // older clients send no run id
                integrity.reset();
                firstArrival = lastArrival = 0;
            } else if (op == Control.SINK_END) {
                sinking = false;
                Control.write(reply, Control.STATS, integrity.received(), integrity.reordered(),
                        integrity.corrupt(), integrity.bytes(), firstArrival, lastArrival, runId, integrity.duplicates());
                AckedChannel.send(channel, reply, send);
            } else if (sinking) {
                lastArrival = System.nanoTime();
                if (firstArrival == 0) firstArrival = lastArrival;
                integrity.record(Probe.sequence(buffer), probe.verify(buffer, n), n);
            } else {
                channel.send(buffer, send);
            }
        }
    }
}
