package org.ipclab.bench.fanin;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.HdrHistogram.Histogram;
import org.ipclab.bench.BenchConfig;
import org.ipclab.bench.Benchmark;
import org.ipclab.bench.Mode;
import org.ipclab.bench.RemoteTarget;
import org.ipclab.bench.ResultWriters;
import org.ipclab.bench.Results;
import org.ipclab.bench.Runner;
import org.ipclab.bench.counters.MeasureWindow;
import org.ipclab.bench.counters.ThreadCounters;
import org.ipclab.core.Channel;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.Providers;
import org.ipclab.core.Units;
import org.ipclab.core.peer.PeerProtocol;
import org.ipclab.core.reliable.AckedChannel;

/**
 * One client of a fan-in run, its own process: connects to the one server end, waits for the
 * server's HELLO, warms its JIT ({@link #jitWarmUpMessages}), says {@code ready} on stdout, and on
 * {@code go T} from stdin warms up until T (System.nanoTime's clock: CLOCK_MONOTONIC on Linux, one
 * for every process) and measures from there, so that all N clients measure over one window; drives the server's session exactly as the runner
 * drives its peer ({@link Runner}): closed-loop round trips, or a sink stream that the server counts
 * and checks. Its figures go back on stdout, one line, the latency histogram encoded whole so the
 * runner can merge every client's exactly; stdout and stdin are pipes to the runner, never the
 * mechanism under test.
 *
 * <pre>FanInClient --mechanism unix --opt path=... --mode latency --size 64 --duration 1s --timeout 10s</pre>
 *
 * Exit codes: 0 after its figures, 1 on a channel error, 2 on bad arguments, 3 when the runner died.
 */
public final class FanInClient {
    static final String READY = "ready";
    static final String GO = "go";
    static final String RESULT = "result";

    private FanInClient() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    static int run(String[] args, PrintStream out) {
        Map<String, String> options = new LinkedHashMap<>();
        Map<String, String> a = new LinkedHashMap<>();
        try {
            for (int i = 0; i + 1 < args.length; i += 2) {
                if (args[i].equals("--opt")) {
                    int eq = args[i + 1].indexOf('=');
                    if (eq <= 0) throw new IllegalArgumentException("--opt needs key=value, got " + args[i + 1]);
                    options.put(args[i + 1].substring(0, eq), args[i + 1].substring(eq + 1));
                } else {
                    a.put(args[i], args[i + 1]);
                }
            }
            if (args.length % 2 != 0) throw new IllegalArgumentException("missing value after " + args[args.length - 1]);
            for (String k : new String[] {"--mechanism", "--mode", "--size", "--duration", "--timeout"}) {
                if (!a.containsKey(k)) throw new IllegalArgumentException(k + " is required");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("fan-in client: " + e.getMessage());
            return 2;
        }
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
            System.err.println("fan-in client: runner " + parent.pid() + " is gone; exiting");
            Runtime.getRuntime().halt(3);
        }));
        ChannelSpec spec = ChannelSpec.of(a.get("--mechanism"), options);
        Mode mode = a.get("--mode").equals("throughput") ? Mode.THROUGHPUT : Mode.LATENCY;
        int size = Integer.parseInt(a.get("--size"));
        Duration timeout = Units.parseDuration("--timeout", a.get("--timeout"));
        try {
            ChannelProvider provider = Providers.forSpec(spec);
            MechanismInfo info = provider.describe(spec);
            PeerProtocol protocol = PeerProtocol.of(info);
            if (a.containsKey("--writer")) return writer(provider, spec, size, Integer.parseInt(a.get("--writer")), a, timeout, out);
            try (Channel channel = AckedChannel.over(provider.connect(spec, timeout), info)) {
                protocol.awaitHello(channel, timeout);
                jitWarmUp(channel, info, mode, size, warmUp(a, size), timeout);
                // Everything the measurement needs is made before ready: after go, a JVM among 64 on two
                // CPUs gets 1/32 of one, and loading a class or two there started its window a second
                // after the others'.
                Duration duration = Units.parseDuration("--duration", a.get("--duration"));
                Histogram[] merged = new Histogram[1];
                Edges edges = new Edges(ownCounters());
                Runner runner = new Runner(System::nanoTime, Runner::processCpuNanos, Runner::newHistogram).onHistogram((label, h) -> merged[0] = h)
                        .window(edges);
                RemoteTarget target = new RemoteTarget(info, channel, Map.of());
                out.println(READY);
                out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                String line = in.readLine();
                long startAt = startAt(line);
                if (startAt < 0) {
                    System.err.println("fan-in client: the runner said " + line + " instead of " + GO + " T");
                    return 1;
                }
                BenchConfig cfg = new BenchConfig(java.util.List.of(info.name()), java.util.List.of(mode), java.util.List.of(size),
                        untilThen(startAt), duration, 0, 1, timeout, Map.of(), 0);
                runner.endsAt(startAt + duration.toNanos());
                Results.Measurement m = Benchmark.measure(runner, target, mode, size, cfg);
                if (m.summary() == null) {
                    System.err.println("fan-in client: " + m.error());
                    return 1;
                }
                out.println(resultLine(m, merged[0]) + " window=" + edges);
                out.flush();
                // Alive until the runner lets go (a line, or end of file): a JVM exiting takes CPU from the clients still measuring.
                in.readLine();
                try {
                    protocol.stop(channel, Duration.ofSeconds(1));
                } catch (IOException ignored) {
                    // the figures are out; the server ends the session on our close as well
                }
            }
            return 0;
        } catch (IOException | RuntimeException e) {
            System.err.println("fan-in client (" + spec.mechanism() + ", pid " + ProcessHandle.current().pid() + "): " + e.getMessage());
            return 1;
        }
    }

    /**
     * Messages each client sends before it says {@code ready}, on top of the common {@code --warmup}
     * after {@code go}: N client JVMs sharing two CPUs get 1/N of a CPU each, so a time-based warm-up
     * alone leaves them interpreted (64 mqueue writers: Java/C 0.18 after 500 ms, 0.60 after 8 s).
     * 20,000 calls are past HotSpot's tier-4 compile thresholds for the send/receive path; large
     * messages need fewer (at most 256 MiB in all per client).
     */
    static long jitWarmUpMessages(int size) {
        return Math.max(200, Math.min(20_000, (256L << 20) / Math.max(1, size)));
    }

    /** System property of the runner's JVM: another count for {@link #jitWarmUpMessages} (tests that check integrity, not speed). */
    static final String JIT_WARM_UP = "ipclab.fanin.jitWarmUpMessages";

    /** What the runner tells its clients to send before ready ({@code --jit-warm-up}), and says in the row's parameters. */
    static long jitWarmUpFor(int size) {
        return Long.getLong(JIT_WARM_UP, jitWarmUpMessages(size));
    }

    /** The session's own warm-up before {@code ready}: its figures are dropped, its server thread warms as well. */
    private static void jitWarmUp(Channel channel, MechanismInfo info, Mode mode, int size, long messages, Duration timeout) throws IOException {
        BenchConfig warm = new BenchConfig(java.util.List.of(info.name()), java.util.List.of(mode), java.util.List.of(size),
                Duration.ZERO, Duration.ZERO, messages, 1, timeout, Map.of(), 0);
        // The real CPU clock, so that its first call (jnr binds clock_gettime: a second's work for a JVM
        // among 64 on two CPUs) is not made at the start of the common window.
        Runner runner = new Runner(System::nanoTime, Runner::processCpuNanos, Runner::newHistogram);
        Results.Measurement m = Benchmark.measure(runner, new RemoteTarget(info, channel, Map.of()), mode, size, warm);
        if (m.summary() == null) throw new IOException("warm-up before the common window failed: " + m.error());
    }

    /** The runner's {@code --jit-warm-up}, or this size's default. */
    private static long warmUp(Map<String, String> a, int size) {
        return a.containsKey("--jit-warm-up") ? Long.parseLong(a.get("--jit-warm-up")) : jitWarmUpMessages(size);
    }

    /** T of "go T", or -1 when the line is not that. */
    static long startAt(String line) {
        if (line == null || !line.startsWith(GO + " ")) return -1;
        try {
            return Long.parseLong(line.substring(GO.length() + 1).strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The warm-up left until T: a client told late starts at once. */
    private static Duration untilThen(long startAt) {
        return Duration.ofNanos(Math.max(0, startAt - System.nanoTime()));
    }

    /** Probes of the warm-up carry this bit beside the client's number, so that the server does not count them. */
    static final long WARM_UP = 1L << 62;
    /** The client's number in a writer's probes: the timestamp field, which a one-way stream does not use. */
    static final long CLIENT_MASK = 0xFFFF_FFFFL;

    /**
     * One of N writers into the server's one channel (a mechanism with FAN_IN but no sessions of its
     * own: a queue). No reply can be told to come back to this writer, so it streams only: probes
     * whose timestamp field carries its number (the checksum covers it), then SINK_END [sent,
     * number]; the server counts and checks each writer's sequence on arrival. It closes only when
     * the runner says {@code bye}: its close may end the channel for everyone (end-of-stream).
     * The channel is not wrapped in AckedChannel, whatever the mechanism (see SharedChannel): over a
     * datagram socket that may lose, SINK_END may be lost as well, and the count that matters
     * reaches the runner on stdout.
     */
    private static int writer(ChannelProvider provider, ChannelSpec spec, int size, int number,
                              Map<String, String> a, Duration timeout, PrintStream out) throws IOException {
        // As long as the run waits for its clients (FanIn.START), not --timeout: a FIFO writer's open
        // waits for the server's reader, and N writer JVMs starting at once on two CPUs starve both
        // (16 fifo writers all timed out after 10 s, and the timed-out opens' wake-up read as a writer
        // that came and went: end of file for the server).
        try (Channel channel = provider.connect(spec, FanIn.START)) {
            org.ipclab.core.peer.Probe probe = new org.ipclab.core.peer.Probe();
            ByteBuffer msg = org.ipclab.core.peer.Probe.newBuffer(size);
            int fill = probe.fillChecksum(msg);
            long warm = warmUp(a, size);
            for (long k = 0; k < warm; k++) { // the reader reads from the first attach on, and skips these
                probe.stamp(msg, k, number | WARM_UP, fill);
                channel.send(msg, timeout);
            }
            Edges counters = new Edges(ownCounters());
            Runner.processCpuNanos(); // its first call binds clock_gettime through jnr: not at the window's start
            out.println(READY);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line = in.readLine();
            long startAt = startAt(line);
            if (startAt < 0) {
                System.err.println("fan-in writer: the runner said " + line + " instead of " + GO + " T");
                return 1;
            }
            stream(channel, probe, msg, fill, number | WARM_UP, untilThen(startAt), timeout);
            long cpu0 = Runner.processCpuNanos();
            counters.begin();
            long start = System.nanoTime();
            long sent = stream(channel, probe, msg, fill, number, untilThen(startAt + Units.parseDuration("--duration", a.get("--duration")).toNanos()), timeout);
            long cpu = Runner.processCpuNanos() - cpu0;
            double seconds = (System.nanoTime() - start) / 1e9;
            Results.Counters kernel = counters.end(sent, "message");
            channel.send(org.ipclab.core.peer.Control.message(org.ipclab.core.peer.Control.SINK_END, sent, number), timeout);
            out.println(String.format(Locale.ROOT, "%s sent=%d messages=%d seconds=%.9f cpu_us=%s status=ok hist=- counters=%s window=%s", RESULT, sent, sent, seconds,
                    cpu0 > 0 && cpu > 0 && sent > 0 ? String.format(Locale.ROOT, "%.4f", cpu / 1e3 / sent) : "-", encode(kernel), counters));
            out.flush();
            in.readLine(); // "bye", or end of file: the server has counted
        }
        return 0;
    }

    private static long stream(Channel ch, org.ipclab.core.peer.Probe probe, ByteBuffer msg, int fill, long tag,
                               Duration duration, Duration timeout) throws IOException {
        long end = System.nanoTime() + duration.toNanos();
        long sent = 0;
        while (sent % 16 != 0 || System.nanoTime() - end < 0) {
            probe.stamp(msg, sent, tag, fill);
            ch.send(msg, timeout);
            sent++;
        }
        return sent;
    }

    /**
     * The measuring thread's own kernel counters (/proc only) over its own window, read by itself at
     * the window's edges (see ThreadCounters for why not the whole JVM), its reading compiled first.
     */
    private static MeasureWindow ownCounters() {
        return new ThreadCounters("client").warm();
    }

    /**
     * The measured window's edges on the machine's monotonic clock (System.nanoTime: CLOCK_MONOTONIC,
     * one clock for every process here), so that the runner can check that the N windows overlap.
     */
    static final class Edges implements MeasureWindow {
        private final MeasureWindow counters;
        private long from = -1, to = -1;

        Edges(MeasureWindow counters) {
            this.counters = counters;
        }

        @Override
        public void begin() {
            counters.begin();
            from = System.nanoTime();
        }

        @Override
        public Results.Counters end(long messages, String per) {
            to = System.nanoTime();
            return counters.end(messages, per);
        }

        /** "FROM,TO" in ns. */
        @Override
        public String toString() {
            return from + "," + to;
        }
    }

    /** The counters as one word of the result line (JSON, base64), or "-". */
    static String encode(Results.Counters counters) {
        if (counters == null) return "-";
        try {
            return Base64.getEncoder().encodeToString(ResultWriters.mapper().writeValueAsBytes(counters));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return "-";
        }
    }

    /** "result sent=.. received=.. lost=.. reordered=.. corrupt=.. messages=.. seconds=.. cpu_us=..|- status=.. hist=BASE64|- counters=BASE64|-". */
    static String resultLine(Results.Measurement m, Histogram h) {
        Results.Integrity i = m.integrity();
        Results.Repeat r = m.repeats().get(0);
        String hist = "-";
        if (h != null) {
            ByteBuffer b = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
            int n = h.encodeIntoCompressedByteBuffer(b);
            hist = Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(b.array(), n));
        }
        // this client JVM's whole CPU (its work and its JIT, GC, timers) per message of its measured window
        Double cpu = m.cpu() == null ? null : m.cpu().runnerUsPerMsg();
        return String.format(Locale.ROOT, "%s sent=%d received=%d lost=%d reordered=%d corrupt=%d messages=%d seconds=%.9f cpu_us=%s status=%s hist=%s counters=%s",
                RESULT, i.sent(), i.received(), i.lost(), i.reordered(), i.corrupt(), r.messages(), r.seconds(),
                cpu == null || cpu <= 0 ? "-" : String.format(Locale.ROOT, "%.4f", cpu), m.status(), hist, encode(m.counters()));
    }
}
