package org.ipclab.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.OptionalLong;

import org.ipclab.core.Capability;
import org.ipclab.core.Channel;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.IpcException;
import org.ipclab.core.IpcTimeoutException;
import org.ipclab.core.peer.Control;
import org.ipclab.core.peer.Integrity;
import org.ipclab.core.peer.Probe;

/**
 * A peer inside the test: whatever is sent is handled at once as PeerMain would (echo, or count
 * in sink mode) and queued for receive. Faults can be injected: drop every n-th message, flip a byte.
 */
final class LoopbackTarget implements Target {
    private final ArrayDeque<ByteBuffer> replies = new ArrayDeque<>();
    private final boolean reliable;
    int dropEvery;
    int corruptEvery;
    /** Every n-th message is delivered twice (echoed twice, or counted twice by the sink). */
    int duplicateEvery;
    private long runId;
    private long seen;
    private boolean sinking;
    private final Integrity integrity = new Integrity();
    private final Probe probe = new Probe();

    LoopbackTarget(boolean reliable) {
        this.reliable = reliable;
    }

    private final Channel channel = new Channel() {
        @Override
        public void send(ByteBuffer message, Duration timeout) {
            ByteBuffer copy = ByteBuffer.allocate(message.remaining()).order(ByteOrder.LITTLE_ENDIAN);
            copy.put(message.duplicate()).flip();
            int op = Control.opcode(copy, copy.remaining());
            if (op == Control.SINK) {
                sinking = true;
                runId = Control.arg(copy, 0);
                integrity.reset();
                return;
            }
            if (op == Control.SINK_END) {
                sinking = false;
                replies.add(Control.message(Control.STATS, integrity.received(), integrity.reordered(),
                        integrity.corrupt(), integrity.bytes(), 0, 0, runId, integrity.duplicates()));
                return;
            }
            seen++;
            if (dropEvery > 0 && seen % dropEvery == 0) return;
            if (corruptEvery > 0 && seen % corruptEvery == 0) copy.put(copy.limit() - 1, (byte) (copy.get(copy.limit() - 1) ^ 1));
            int copies = duplicateEvery > 0 && seen % duplicateEvery == 0 ? 2 : 1;
            for (int i = 0; i < copies; i++) {
                if (sinking) integrity.record(Probe.sequence(copy), probe.verify(copy, copy.remaining()), copy.remaining());
                else replies.add(i == 0 ? copy : copy.duplicate().order(ByteOrder.LITTLE_ENDIAN));
            }
        }

        @Override
        public int receive(ByteBuffer into, Duration timeout) throws IOException {
            ByteBuffer next = replies.poll();
            if (next == null) throw new IpcTimeoutException("loopback receive", timeout);
            int n = next.remaining();
            into.put(next);
            return n;
        }

        @Override
        public boolean trySend(ByteBuffer message) {
            send(message, Duration.ZERO);
            return true;
        }

        @Override
        public int tryReceive(ByteBuffer into) throws IOException {
            return replies.isEmpty() ? NO_MESSAGE : receive(into, Duration.ZERO);
        }

        @Override
        public int maxMessageSize() {
            return 1 << 20;
        }

        @Override
        public void close() {
        }
    };

    @Override
    public MechanismInfo info() {
        return MechanismInfo.builder("loopback").maxMessageSize(1 << 20)
                .capabilityIf(reliable, Capability.RELIABLE).build();
    }

    @Override
    public Channel channel() {
        return channel;
    }

    @Override
    public Map<String, String> parameters() {
        return Map.of("kind", "in-process loopback");
    }

    @Override
    public OptionalLong peerCpuNanos() {
        return OptionalLong.of(0);
    }

    @Override
    public IOException explain(String what, IOException cause) {
        return new IpcException(what + ": " + cause.getMessage());
    }
}
