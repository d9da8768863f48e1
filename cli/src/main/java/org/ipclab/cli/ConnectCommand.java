package org.ipclab.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.ipclab.core.BadInputException;
import org.ipclab.core.Capability;
import org.ipclab.core.Channel;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.IpcException;
import org.ipclab.core.Providers;
import org.ipclab.core.Units;
import org.ipclab.bench.BenchConfig;
import org.ipclab.bench.Mode;
import org.ipclab.bench.NanoClock;
import org.ipclab.bench.RemoteTarget;
import org.ipclab.bench.Results;
import org.ipclab.bench.Runner;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.peer.PeerProtocol;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "connect", mixinStandardHelpOptions = true,
        description = {"Talk to an 'ipc serve' from another terminal.",
                "Sends the given messages (or stdin's lines) and prints what comes back,",
                "or sends --count probes and prints their round-trip times."})
final class ConnectCommand implements Callable<Integer>, ChannelOptions.User {
    @Option(names = {"-m", "--mechanism"}, required = true, paramLabel = "NAME", description = "Mechanism (see 'ipc list').")
    String mechanism;

    @Mixin
    ChannelOptions channelOptions;

    @Option(names = "--count", paramLabel = "N", description = "Send N benchmark probes instead of text.")
    Long count;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "64", converter = Converters.SizeConverter.class,
            description = "Probe size with --count (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--timeout", paramLabel = "TIME", defaultValue = "10s", converter = Converters.DurationConverter.class,
            description = "Longest wait for a connection or a reply (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Parameters(paramLabel = "MESSAGE", arity = "0..*", description = "Messages to send; without any, lines from stdin.")
    List<String> messages = new ArrayList<>();

    @Override
    public ChannelOptions channelOptions() {
        return channelOptions;
    }

    @Override
    public Integer call() throws IOException {
        ChannelSpec spec = ChannelSpec.of(mechanism, channelOptions.toMap());
        ChannelProvider provider = Providers.forSpec(spec);
        MechanismInfo info = provider.describe(spec);
        PeerProtocol protocol = PeerProtocol.of(info);
        if (info.has(Capability.RELATED_PROCESSES_ONLY)) {
            throw new BadInputException("mechanism '" + mechanism + "' only connects a parent and the child it starts");
        }
        if (count != null && count < 1) throw new BadInputException("--count " + count + " must be at least 1");
        if (count != null && (size < protocol.minimumProbe() || size > info.maxMessageSize())) {
            throw new BadInputException("--size " + size + " must be between " + protocol.minimumProbe() + " and the " + mechanism
                    + " maximum of " + info.maxMessageSize() + " bytes");
        }
        try (Channel ch = org.ipclab.core.reliable.AckedChannel.over(provider.connect(spec, timeout), info)) {
            long pid = protocol.awaitHello(ch, timeout);
            System.err.println("ipc connect: connected to " + mechanism + " server (pid " + pid + ")");
            if (count != null) return probes(info, ch, protocol);
            ByteBuffer in = ByteBuffer.allocateDirect(ch.maxMessageSize()).order(ByteOrder.LITTLE_ENDIAN);
            if (!messages.isEmpty()) {
                for (String m : messages) echo(ch, m, in, timeout);
            } else {
                BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                String line;
                while ((line = r.readLine()) != null) echo(ch, line, in, timeout);
            }
            ServeCommand.sayStop(ch, protocol);
        }
        return ExitCodes.OK;
    }

    private static void echo(Channel ch, String text, ByteBuffer in, Duration t) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ch.send(ByteBuffer.wrap(bytes), t);
        in.clear();
        int n = ch.receive(in, t);
        if (n < 0) throw new IpcException("server closed the connection");
        in.flip();
        byte[] back = new byte[n];
        in.get(back);
        System.out.println(new String(back, StandardCharsets.UTF_8));
    }

    /** The benchmark's own round trip (the runner's), count probes, one repeat, no warm-up. */
    private int probes(MechanismInfo info, Channel ch, PeerProtocol protocol) throws IpcException {
        BenchConfig cfg = new BenchConfig(List.of(mechanism), List.of(Mode.LATENCY), List.of(size), Duration.ZERO,
                Duration.ZERO, count, 1, timeout, Map.of());
        Runner runner = new Runner(NanoClock.SYSTEM, Runner::processCpuNanos, Runner::newHistogram);
        Results.Measurement m = runner.latency(new RemoteTarget(info, ch, Map.of()), size, cfg);
        ServeCommand.sayStop(ch, protocol);
        if (m.summary() == null) throw new IpcException("probes failed: " + m.error());
        Results.Latency l = m.summary().latency();
        Results.Integrity i = m.integrity();
        System.out.printf(Locale.ROOT, "%d probes of %s: RTT p50 %.2f µs, p99 %.2f µs, max %.2f µs; %d lost, %d reordered, %d duplicated, %d corrupt%n",
                count, Units.formatSize(size), l.p50Us(), l.p99Us(), l.maxUs(), i.lost(), i.reordered(), i.duplicates(), i.corrupt());
        return m.ok() ? ExitCodes.OK : ExitCodes.FAILURE;
    }
}
