package org.ipclab.core.peer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.ipclab.core.Channel;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.Providers;
import org.ipclab.core.Units;
import org.ipclab.core.reliable.AckedChannel;

/**
 * The peer process: connects to the server end, says HELLO, then echoes every message back until
 * STOP — or, after SINK, verifies and counts probes until SINK_END and answers with STATS.
 * Started by {@link PeerLauncher} (as the hidden {@code ipc peer} command). Diagnostics go to
 * stderr only: stdout may be the very pipe under test.
 *
 * <pre>peer --mechanism tcp --opt port=41234 [--opt key=value]... [--connect-timeout 30s]</pre>
 *
 * Exit codes: 0 after STOP, 1 on a channel error, 2 on bad arguments, 3 when the parent died.
 */
public final class PeerMain {
    private static final Duration IDLE = Duration.ofHours(24);
    private static final Duration SEND = Duration.ofSeconds(30);

    private PeerMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String[] args) {
        ChannelSpec spec;
        Duration connectTimeout = Duration.ofSeconds(30);
        try {
            String mechanism = null;
            Map<String, String> options = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("peer")) continue;
                if (i + 1 >= args.length) throw new IllegalArgumentException("missing value after " + a);
                String v = args[++i];
                switch (a) {
                    case "--mechanism": mechanism = v; break;
                    case "--connect-timeout": connectTimeout = Units.parseDuration("--connect-timeout", v); break;
                    case "--opt":
                        int eq = v.indexOf('=');
                        if (eq <= 0) throw new IllegalArgumentException("--opt needs key=value, got " + v);
                        options.put(v.substring(0, eq), v.substring(eq + 1));
                        break;
                    default: throw new IllegalArgumentException("unknown argument " + a);
                }
            }
            if (mechanism == null) throw new IllegalArgumentException("--mechanism is required");
            spec = ChannelSpec.of(mechanism, options);
        } catch (IllegalArgumentException e) {
            System.err.println("ipc peer: " + e.getMessage());
            return 2;
        }
        exitWhenParentDies();
        try {
            ChannelProvider provider = Providers.forSpec(spec);
            try (Channel channel = AckedChannel.over(provider.connect(spec, connectTimeout), provider)) {
                serve(channel);
            }
            return 0;
        } catch (IOException | RuntimeException e) {
            System.err.println("ipc peer (" + spec.mechanism() + ", pid " + ProcessHandle.current().pid() + "): " + e.getMessage());
            return 1;
        }
    }

    /** The HELLO / echo / sink loop; returns after STOP or when the runner closed its end. Over an unreliable mechanism, pass the channel wrapped by {@link AckedChannel#over}. */
    public static void serve(Channel channel) throws IOException {
        if (channel.maxMessageSize() < Control.HEADER_BYTES) {
            serveNotifications(channel);
            return;
        }
        ByteBuffer hello = Control.message(Control.HELLO, ProcessHandle.current().pid());
        AckedChannel.send(channel, hello, SEND);
        ByteBuffer buffer = ByteBuffer.allocateDirect(Math.max(channel.maxMessageSize(), 64)).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer reply = ByteBuffer.allocateDirect(64).order(ByteOrder.LITTLE_ENDIAN);
        Probe probe = new Probe();
        Integrity integrity = new Integrity();
        boolean sinking = false;
        long firstArrival = 0;
        long lastArrival = 0;
        while (true) {
            buffer.clear();
            int n = channel.receive(buffer, IDLE);
            if (n == Channel.END_OF_STREAM) return;
            buffer.flip();
            int op = Control.opcode(buffer, n);
            if (op == Control.STOP) return;
            if (op == Control.SINK) {
                sinking = true;
                integrity.reset();
                firstArrival = lastArrival = 0;
            } else if (op == Control.SINK_END) {
                sinking = false;
                Control.write(reply, Control.STATS, integrity.received(), integrity.reordered(),
                        integrity.corrupt(), integrity.bytes(), firstArrival, lastArrival);
                AckedChannel.send(channel, reply, SEND);
            } else if (sinking) {
                lastArrival = System.nanoTime();
                if (firstArrival == 0) firstArrival = lastArrival;
                integrity.record(Probe.sequence(buffer), probe.verify(buffer, n), n);
            } else {
                channel.send(buffer, SEND);
            }
        }
    }

    /**
     * A notification channel (signals: 0 or 4 bytes per message) cannot carry control messages:
     * an empty message stands for HELLO, every message is echoed, and the runner closing its end
     * (the channel's end-of-stream signal) stands for STOP.
     */
    static void serveNotifications(Channel channel) throws IOException {
        channel.send(ByteBuffer.allocate(0), SEND);
        ByteBuffer buffer = ByteBuffer.allocateDirect(Math.max(channel.maxMessageSize(), 8));
        while (true) {
            buffer.clear();
            int n = channel.receive(buffer, IDLE);
            if (n == Channel.END_OF_STREAM) return;
            buffer.flip();
            channel.send(buffer, SEND);
        }
    }

    private static void exitWhenParentDies() {
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
            System.err.println("ipc peer: parent process " + parent.pid() + " is gone; exiting");
            System.exit(3);
        }));
    }
}
