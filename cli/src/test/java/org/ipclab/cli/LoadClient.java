package org.ipclab.cli;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.ipclab.bench.BenchConfig;
import org.ipclab.bench.Mode;
import org.ipclab.bench.NanoClock;
import org.ipclab.bench.RemoteTarget;
import org.ipclab.bench.Results;
import org.ipclab.bench.Runner;
import org.ipclab.core.Channel;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.Providers;
import org.ipclab.core.peer.PeerProtocol;
import org.ipclab.core.reliable.AckedChannel;

/**
 * One client of {@code ipc serve} in its own process, for the load test: the benchmark's echo
 * latency run and a sink run, by count, against the server the options name
 * ({@code mechanism key=value...}). Prints one line per run; exit 0 when both were clean.
 */
public final class LoadClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private LoadClient() {
    }

    public static void main(String[] args) throws Exception {
        String mechanism = args[0];
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            options.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        ChannelSpec spec = ChannelSpec.of(mechanism, options);
        ChannelProvider provider = Providers.forSpec(spec);
        MechanismInfo info = provider.describe(spec);
        PeerProtocol protocol = PeerProtocol.of(info);
        BenchConfig latency = new BenchConfig(List.of(mechanism), List.of(Mode.LATENCY), List.of(64),
                Duration.ZERO, Duration.ZERO, 300, 1, TIMEOUT, Map.of());
        BenchConfig sink = new BenchConfig(List.of(mechanism), List.of(Mode.THROUGHPUT), List.of(256),
                Duration.ZERO, Duration.ZERO, 3000, 1, TIMEOUT, Map.of());
        boolean clean;
        try (Channel ch = AckedChannel.over(provider.connect(spec, TIMEOUT), info)) {
            protocol.awaitHello(ch, TIMEOUT);
            Runner runner = new Runner(NanoClock.SYSTEM, () -> 0L, Runner::newHistogram);
            RemoteTarget target = new RemoteTarget(info, ch, Map.of());
            Results.Measurement l = runner.latency(target, 64, latency);
            Results.Measurement t = runner.throughput(target, 256, sink);
            ServeCommand.sayStop(ch, protocol);
            System.out.println("latency " + l.status() + " " + l.integrity() + (l.error() == null ? "" : " " + l.error()));
            System.out.println("sink " + t.status() + " " + t.integrity() + (t.error() == null ? "" : " " + t.error()));
            clean = "ok".equals(l.status()) && "ok".equals(t.status())
                    && l.integrity().received() == 300 && t.integrity().received() == 3000;
        }
        System.exit(clean ? 0 : 1);
    }
}
