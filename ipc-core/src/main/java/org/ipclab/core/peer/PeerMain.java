package org.ipclab.core.peer;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.ipclab.core.Channel;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.Providers;
import org.ipclab.core.Units;

/**
 * The peer process: connects to the server end and speaks the mechanism's {@link PeerProtocol}
 * (HELLO, echo until STOP, SINK … STATS; or its notification variant).
 * Started by {@link PeerLauncher} (as the hidden {@code ipc peer} command). Diagnostics go to
 * stderr only: stdout may be the very pipe under test.
 *
 * <pre>peer --mechanism tcp --opt port=41234 [--opt key=value]... [--connect-timeout 30s]</pre>
 *
 * Exit codes: 0 after STOP, 1 on a channel error, 2 on bad arguments, 3 when the parent died.
 */
public final class PeerMain {
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
            org.ipclab.core.MechanismInfo info = provider.describe(spec);
            PeerProtocol protocol = PeerProtocol.of(info);
            try (Channel channel = org.ipclab.core.reliable.AckedChannel.over(provider.connect(spec, connectTimeout), info)) {
                protocol.serve(channel);
            }
            return 0;
        } catch (IOException | RuntimeException e) {
            System.err.println("ipc peer (" + spec.mechanism() + ", pid " + ProcessHandle.current().pid() + "): " + e.getMessage());
            return 1;
        }
    }

    private static void exitWhenParentDies() {
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
            System.err.println("ipc peer: parent process " + parent.pid() + " is gone; exiting");
            System.exit(3);
        }));
    }
}
