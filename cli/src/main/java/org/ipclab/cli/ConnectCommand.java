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
import java.util.concurrent.Callable;

import org.HdrHistogram.Histogram;
import org.ipclab.core.BadInputException;
import org.ipclab.core.Capability;
import org.ipclab.core.Channel;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.IpcException;
import org.ipclab.core.Providers;
import org.ipclab.core.Units;
import org.ipclab.core.peer.Probe;
import org.ipclab.core.reliable.AckedChannel;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "connect", mixinStandardHelpOptions = true,
        description = {"Talk to an 'ipc serve' from another terminal.",
                "Sends the given messages (or stdin's lines) and prints what comes back,",
                "or sends --count probes and prints their round-trip times."})
final class ConnectCommand implements Callable<Integer> {
    @Option(names = {"-m", "--mechanism"}, required = true, paramLabel = "NAME", description = "Mechanism (see 'ipc list').")
    String mechanism;

    @Mixin
    ChannelOptions channelOptions;

    @Option(names = "--count", paramLabel = "N", description = "Send N benchmark probes instead of text.")
    Long count;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "64", description = "Probe size with --count (default: ${DEFAULT-VALUE}).")
    String size;

    @Option(names = "--timeout", paramLabel = "TIME", defaultValue = "10s", description = "Longest wait for a connection or a reply (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Parameters(paramLabel = "MESSAGE", arity = "0..*", description = "Messages to send; without any, lines from stdin.")
    List<String> messages = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        Duration t = Units.parseDuration("--timeout", timeout);
        ChannelSpec spec = ChannelSpec.of(mechanism, channelOptions.toMap());
        ChannelProvider provider = Providers.forSpec(spec);
        if (provider.has(Capability.RELATED_PROCESSES_ONLY)) {
            throw new BadInputException("mechanism '" + mechanism + "' only connects a parent and the child it starts");
        }
        int probeSize = (int) Units.parseSize("--size", size);
        if (count != null && (probeSize < Probe.MIN_SIZE || probeSize > provider.maxMessageSize())) {
            throw new BadInputException("--size " + size + " must be between " + Probe.MIN_SIZE + " and the " + mechanism
                    + " maximum of " + provider.maxMessageSize() + " bytes");
        }
        try (Channel ch = AckedChannel.over(provider.connect(spec, t), provider)) {
            long pid = ServeCommand.awaitHello(ch, t);
            System.err.println("ipc connect: connected to " + mechanism + " server (pid " + pid + ")");
            if (count != null) return probes(ch, probeSize, t);
            ByteBuffer in = ByteBuffer.allocateDirect(ch.maxMessageSize()).order(ByteOrder.LITTLE_ENDIAN);
            if (!messages.isEmpty()) {
                for (String m : messages) echo(ch, m, in, t);
            } else {
                BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                String line;
                while ((line = r.readLine()) != null) echo(ch, line, in, t);
            }
            ServeCommand.sayStop(ch);
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

    private int probes(Channel ch, int size, Duration t) throws IOException {
        Probe probe = new Probe();
        ByteBuffer out = Probe.newBuffer(size);
        int fill = probe.fillChecksum(out);
        ByteBuffer in = ByteBuffer.allocateDirect(Math.max(64, ch.maxMessageSize())).order(ByteOrder.LITTLE_ENDIAN);
        Histogram h = new Histogram(1, Duration.ofHours(1).toNanos(), 3);
        long bad = 0;
        for (long seq = 0; seq < count; seq++) {
            long sent = System.nanoTime();
            probe.stamp(out, seq, sent, fill);
            ch.send(out, t);
            in.clear();
            int n = ch.receive(in, t);
            long rtt = System.nanoTime() - sent;
            if (n < 0) throw new IpcException("server closed the connection after " + seq + " probes");
            in.flip();
            if (n != size || !probe.verify(in, n) || Probe.sequence(in) != (int) seq) bad++;
            else h.recordValue(Math.max(1, rtt));
        }
        ServeCommand.sayStop(ch);
        System.out.printf(Locale.ROOT, "%d probes of %s: RTT p50 %.2f µs, p99 %.2f µs, max %.2f µs; %d bad%n", count,
                Units.formatSize(size), h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getMaxValue() / 1e3, bad);
        return bad == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
    }
}
