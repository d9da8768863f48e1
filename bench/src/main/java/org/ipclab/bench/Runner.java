package org.ipclab.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.HdrHistogram.Histogram;
import org.ipclab.bench.counters.MeasureWindow;
import org.ipclab.core.Channel;
import org.ipclab.core.IpcException;
import org.ipclab.core.IpcTimeoutException;
import org.ipclab.core.ProtocolException;
import org.ipclab.core.Units;
import org.ipclab.core.peer.Control;
import org.ipclab.core.peer.Integrity;
import org.ipclab.core.peer.PeerProtocol.Probes;
import org.ipclab.core.peer.Probe;
import org.ipclab.core.reliable.AckedChannel;

/**
 * Measures one mechanism × mode × size against a {@link Target}: time-based warm-up, then
 * {@code repeat} measured iterations. Clock, CPU meter and histograms are injected, so the runner
 * is tested without processes; nothing on the measured path allocates.
 *
 * <p>Latency is closed-loop RTT: send a probe, wait for its echo; every RTT goes into an
 * HdrHistogram. Throughput is a one-way stream: the peer verifies and counts every probe and
 * answers SINK_END with its counts; the rate is what the peer received over the time from the first
 * send to its answer.
 */
public final class Runner {
    /** How long an unreliable mechanism's reply may take before the probe counts as lost. */
    static final Duration LOSS_TIMEOUT = Duration.ofMillis(200);
    private static final int CLOCK_CHECK_EVERY = 16;

    private final NanoClock clock;
    private final LongSupplier selfCpuNanos;
    private final Supplier<Histogram> histograms;
    private BiConsumer<String, Histogram> histogramSink = (label, h) -> { };
    private MeasureWindow window = MeasureWindow.NONE;
    private java.util.OptionalLong endsAt = java.util.OptionalLong.empty();

    public Runner(NanoClock clock, LongSupplier selfCpuNanos, Supplier<Histogram> histograms) {
        this.clock = clock;
        this.selfCpuNanos = selfCpuNanos;
        this.histograms = histograms;
    }

    /** RTTs from 1 ns to 1 hour with 3 significant digits. */
    public static Histogram newHistogram() {
        return new Histogram(1, Duration.ofHours(1).toNanos(), 3);
    }

    // ------------------------------------------------------------------ latency

    public Results.Measurement latency(Target target, int size, BenchConfig cfg) {
        Probes probes = target.protocol().probes(size);
        // Room for any message the channel carries: an echo longer than the probe is then corrupt, not an error.
        ByteBuffer in = ByteBuffer.allocateDirect(Math.max(Math.max(size, 64), target.channel().maxMessageSize())).order(ByteOrder.LITTLE_ENDIAN);
        boolean reliable = target.reliable();
        Counters counters = new Counters();
        List<Results.Repeat> repeats = new ArrayList<>();
        Histogram all = histograms.get();
        Histogram one = histograms.get();
        long seq = 0;
        try {
            Counters warmup = new Counters();
            long warmEnd = clock.nanoTime() + cfg.warmup().toNanos();
            while (clock.nanoTime() - warmEnd < 0) roundTrip(target, probes, in, seq++, reliable, cfg.timeout(), warmup);
            long cpuSelf0 = selfCpuNanos.getAsLong();
            OptionalLong cpuPeer0 = target.peerCpuNanos();
            window.begin(); // last before the first measured message: the CPU clocks above may be slow the first time (jnr's binding)
            long messages = 0;
            Results.Counters kernel = null;
            for (int r = 0; r < cfg.repeat(); r++) {
                one.reset();
                long start = clock.nanoTime();
                long end = endsAt.orElse(start + cfg.duration().toNanos());
                long n = 0;
                while (cfg.count() > 0 ? n < cfg.count() : clock.nanoTime() - end < 0) {
                    long rtt = roundTrip(target, probes, in, seq++, reliable, cfg.timeout(), counters);
                    if (rtt >= 0) one.recordValue(Math.max(1, rtt));
                    n++;
                }
                double seconds = (clock.nanoTime() - start) / 1e9;
                messages += n;
                // At the last measured round trip, before the histograms' arithmetic: a client among 64
                // on two CPUs, preempted in it, counted half a second of waiting that no message caused.
                if (r == cfg.repeat() - 1) kernel = window.end(messages, "round trip");
                all.add(one);
                repeats.add(new Results.Repeat(n, seconds, latencyOf(one), null, null));
            }
            Results.Cpu cpu = cpu(target, cpuSelf0, cpuPeer0, messages);
            Results.Spread p50 = Results.Spread.of(repeats.stream().map(x -> x.latency().p50Us()).toList());
            Results.Summary summary = new Results.Summary(latencyOf(all), p50, null, null, null, null, null, null, percentiles(all));
            histogramSink.accept(target.mechanism() + "-latency-" + size, all);
            return finish(target, Mode.LATENCY, size, repeats, summary, counters.integrity(), cpu).withCounters(kernel);
        } catch (IOException e) {
            return failed(target, Mode.LATENCY, size, target.explain(target.mechanism() + " latency at " + size + " B", e));
        }
    }

    /** One ping-pong; returns the RTT in ns, or -1 when the probe or its echo was lost, late or corrupt. */
    private long roundTrip(Target target, Probes probes, ByteBuffer in, long seq, boolean reliable,
                           Duration timeout, Counters counters) throws IOException {
        Channel ch = target.channel();
        long sent = clock.nanoTime();
        probes.stamp(seq, sent);
        ch.send(probes.message(), timeout);
        counters.sent++;
        while (true) {
            in.clear();
            int n;
            try {
                n = ch.receive(in, reliable ? timeout : LOSS_TIMEOUT);
            } catch (IpcTimeoutException e) {
                if (reliable) throw e;
                counters.lost++;
                return -1;
            }
            long now = clock.nanoTime();
            if (n == Channel.END_OF_STREAM) throw new IpcException("peer closed the channel");
            in.flip();
            long got = probes.verify(in, n);
            if (got == Probes.CORRUPT) {
                counters.corrupt++;
                return -1;
            }
            int seen = counters.echoes.record((int) got, true, n);
            if (got == (seq & 0xFFFF_FFFFL)) {
                counters.received++;
                return now - sent;
            }
            // A second copy of an echo already back is no answer: count it and keep waiting for this one.
            if (seen == Integrity.DUPLICATE) {
                counters.duplicates++;
                continue;
            }
            // An echo of an earlier probe (only an unreliable mechanism gets here): late, keep waiting.
            counters.reordered++;
            if (reliable) return -1;
        }
    }

    // ------------------------------------------------------------------ open-loop latency

    /** Probes that may be in flight at once in open loop; the sender waits beyond that. */
    private static final int IN_FLIGHT = 1 << 16;

    /**
     * Open-loop latency: a sender thread sends probe i at {@code start + i / rate}, whether or not
     * earlier echoes came back; this thread receives the echoes. Latency is measured from each
     * probe's <em>intended</em> send time, so a stall delays every probe scheduled during it and
     * shows in the percentiles (coordinated omission corrected); the raw histogram, from the actual
     * send time, is kept beside it to show the difference.
     */
    public Results.Measurement openLoopLatency(Target target, int size, BenchConfig cfg) {
        Probe probe = new Probe();
        Probes warmProbes = target.protocol().probes(size);
        int fill = probe.fillChecksum(warmProbes.message());
        boolean reliable = target.reliable();
        // Room for any message the channel carries: an echo longer than the probe is then corrupt, not an error.
        ByteBuffer in = ByteBuffer.allocateDirect(Math.max(Math.max(size, 64), target.channel().maxMessageSize())).order(ByteOrder.LITTLE_ENDIAN);
        long period = Math.max(1, Math.round(1e9 / cfg.rate()));
        List<Results.Repeat> repeats = new ArrayList<>();
        Histogram corrected = histograms.get();
        Histogram raw = histograms.get();
        Histogram one = histograms.get();
        AtomicLongArray sendTimes = new AtomicLongArray(IN_FLIGHT); // written by the sender, read here
        Counters counters = new Counters();
        Integrity echoes = new Integrity(); // sequence numbers run on across repeats
        long seqBase = 0;
        double achievedSum = 0;
        try {
            Counters warm = new Counters();
            long warmEnd = clock.nanoTime() + cfg.warmup().toNanos();
            while (clock.nanoTime() - warmEnd < 0) roundTrip(target, warmProbes, in, seqBase++, reliable, cfg.timeout(), warm);
            long cpuSelf0 = selfCpuNanos.getAsLong();
            OptionalLong cpuPeer0 = target.peerCpuNanos();
            window.begin(); // last before the first measured message: the CPU clocks above may be slow the first time (jnr's binding)
            long messages = 0;
            for (int r = 0; r < cfg.repeat(); r++) {
                one.reset();
                long total = cfg.count() > 0 ? cfg.count() : Math.max(1, cfg.duration().toNanos() / period);
                OpenLoopSender sender = new OpenLoopSender(target, size, fill, seqBase, total, period, sendTimes, cfg.timeout());
                long start = clock.nanoTime();
                sender.start(start + period);
                long received = 0;
                while (received < total) {
                    if (sender.failure != null) throw sender.failure;
                    in.clear();
                    int n;
                    try {
                        n = target.channel().receive(in, reliable ? cfg.timeout() : LOSS_TIMEOUT);
                    } catch (IpcTimeoutException e) {
                        if (reliable) throw e;
                        if (sender.isAlive()) continue; // quiet for a moment, but more is coming
                        counters.lost += total - received;
                        break;
                    }
                    long now = clock.nanoTime();
                    if (n == Channel.END_OF_STREAM) throw new IpcException("peer closed the channel");
                    in.flip();
                    if (n != size || !probe.verify(in, n)) {
                        counters.corrupt++;
                        received++;
                        continue;
                    }
                    // A second copy is no echo: it would end the repeat early and hide a lost one.
                    if (echoes.record(Probe.sequence(in), true, n) == Integrity.DUPLICATE) {
                        counters.duplicates++;
                        continue;
                    }
                    long seq = seqBase + Integer.toUnsignedLong(Probe.sequence(in) - (int) seqBase);
                    long intended = Probe.sentNanos(in);
                    one.recordValue(Math.max(1, now - intended));
                    raw.recordValue(Math.max(1, now - sendTimes.getAcquire((int) (seq & (IN_FLIGHT - 1)))));
                    received++;
                    counters.received++;
                    sender.acknowledged = received;
                }
                sender.join();
                if (sender.failure != null) throw sender.failure;
                counters.sent += sender.sent;
                double seconds = (sender.lastSend - start) / 1e9;
                double achieved = seconds > 0 ? sender.sent / seconds : 0;
                achievedSum += achieved;
                seqBase += total;
                messages += sender.sent;
                corrected.add(one);
                repeats.add(new Results.Repeat(sender.sent, seconds, latencyOf(one), achieved, null));
            }
            Results.Counters kernel = window.end(messages, "round trip");
            Results.Cpu cpu = cpu(target, cpuSelf0, cpuPeer0, messages);
            Results.Spread p50 = Results.Spread.of(repeats.stream().map(x -> x.latency().p50Us()).toList());
            double achieved = achievedSum / cfg.repeat();
            Results.Summary summary = new Results.Summary(latencyOf(corrected), p50, null, null, null,
                    latencyOf(raw), cfg.rate(), achieved, percentiles(corrected));
            histogramSink.accept(target.mechanism() + "-open-loop-" + size, corrected);
            histogramSink.accept(target.mechanism() + "-open-loop-" + size + "-raw", raw);
            return finish(target, Mode.LATENCY, size, repeats, summary, counters.integrity(), cpu).withCounters(kernel);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(target, Mode.LATENCY, size, new IpcException("interrupted"));
        } catch (IOException e) {
            return failed(target, Mode.LATENCY, size, target.explain(target.mechanism() + " open-loop latency at " + size + " B", e));
        }
    }

    /** Sends probes on schedule; parks when far ahead of time, spins for the last stretch. */
    private final class OpenLoopSender extends Thread {
        private final Target target;
        private final ByteBuffer out;
        private final Probe probe = new Probe();
        private final int fill;
        private final long seqBase;
        private final long total;
        private final long period;
        private final AtomicLongArray sendTimes;
        private final Duration timeout;
        private long first;
        volatile long acknowledged;
        volatile IOException failure;
        long sent;
        long lastSend;

        OpenLoopSender(Target target, int size, int fill, long seqBase, long total, long period, AtomicLongArray sendTimes, Duration timeout) {
            super("ipclab-open-loop-sender");
            setDaemon(true);
            this.target = target;
            this.out = Probe.newBuffer(size);
            this.fill = fill;
            this.seqBase = seqBase;
            this.total = total;
            this.period = period;
            this.sendTimes = sendTimes;
            this.timeout = timeout;
        }

        void start(long firstSend) {
            this.first = firstSend;
            start();
        }

        @Override
        public void run() {
            try {
                for (long i = 0; i < total; i++) {
                    long intended = first + i * period;
                    long wait;
                    while ((wait = intended - clock.nanoTime()) > 0) {
                        if (wait > 100_000) LockSupport.parkNanos(wait - 50_000);
                        else Thread.onSpinWait();
                    }
                    while (i - acknowledged >= IN_FLIGHT) Thread.onSpinWait(); // the receiver is that far behind
                    long seq = seqBase + i;
                    probe.stamp(out, seq, intended, fill);
                    long now = clock.nanoTime();
                    sendTimes.setRelease((int) (seq & (IN_FLIGHT - 1)), now);
                    target.channel().send(out, timeout);
                    sent++;
                    lastSend = now;
                }
            } catch (IOException e) {
                failure = e;
            }
        }
    }

    // ------------------------------------------------------------------ throughput

    public Results.Measurement throughput(Target target, int size, BenchConfig cfg) {
        Probe probe = new Probe();
        ByteBuffer out = Probe.newBuffer(size);
        int fill = probe.fillChecksum(out);
        ByteBuffer in = ByteBuffer.allocateDirect(Math.max(Math.max(size, 64), target.channel().maxMessageSize()))
                .order(ByteOrder.LITTLE_ENDIAN);
        List<Results.Repeat> repeats = new ArrayList<>();
        long sentTotal = 0;
        long receivedTotal = 0;
        long reordered = 0;
        long corrupt = 0;
        long duplicates = 0;
        try {
            stream(target, probe, out, in, fill, cfg.warmup(), 0, cfg.timeout());
            long cpuSelf0 = selfCpuNanos.getAsLong();
            OptionalLong cpuPeer0 = target.peerCpuNanos();
            window.begin(); // last before the first measured message: the CPU clocks above may be slow the first time (jnr's binding)
            for (int r = 0; r < cfg.repeat(); r++) {
                long start = clock.nanoTime();
                Duration duration = endsAt.isPresent() ? Duration.ofNanos(Math.max(0, endsAt.getAsLong() - start)) : cfg.duration();
                long[] stats = stream(target, probe, out, in, fill, duration, cfg.count(), cfg.timeout());
                double seconds = (clock.nanoTime() - start) / 1e9;
                long sent = stats[0];
                long received = stats[1];
                sentTotal += sent;
                receivedTotal += received;
                reordered += stats[2];
                corrupt += stats[3];
                duplicates += stats[5];
                double rate = received / seconds;
                repeats.add(new Results.Repeat(sent, seconds, null, rate, stats[4] / seconds / 1e6));
            }
            Results.Counters kernel = window.end(sentTotal, "message");
            Results.Cpu cpu = cpu(target, cpuSelf0, cpuPeer0, sentTotal);
            Results.Spread rates = Results.Spread.of(repeats.stream().map(Results.Repeat::msgsPerSec).toList());
            Results.Spread mb = Results.Spread.of(repeats.stream().map(Results.Repeat::mbPerSec).toList());
            Results.Summary summary = new Results.Summary(null, null, rates.median(), mb.median(), rates);
            Results.Integrity integrity = new Results.Integrity(sentTotal, receivedTotal,
                    Math.max(0, sentTotal - receivedTotal), reordered, corrupt, duplicates);
            return finish(target, Mode.THROUGHPUT, size, repeats, summary, integrity, cpu).withCounters(kernel);
        } catch (IOException e) {
            return failed(target, Mode.THROUGHPUT, size, target.explain(target.mechanism() + " throughput at " + size + " B", e));
        }
    }

    /** One sink run: returns {sent, received, reordered, corrupt, bytes, duplicates} as the peer counted them. */
    private long[] stream(Target target, Probe probe, ByteBuffer out, ByteBuffer in, int fill,
                          Duration duration, long count, Duration timeout) throws IOException {
        Channel ch = target.channel();
        long runId = ++sinkRuns;
        AckedChannel.send(ch, Control.message(Control.SINK, runId), timeout);
        long end = clock.nanoTime() + duration.toNanos();
        long sent = 0;
        while (true) {
            if (count > 0 ? sent >= count : sent % CLOCK_CHECK_EVERY == 0 && clock.nanoTime() - end >= 0) break;
            probe.stamp(out, sent, 0, fill);
            ch.send(out, timeout);
            sent++;
        }
        // Over an unreliable mechanism the channel acknowledges SINK_END and STATS (AckedChannel).
        AckedChannel.send(ch, Control.message(Control.SINK_END, sent), timeout);
        int n = awaitStats(ch, in, timeout, runId);
        long duplicates = n >= STATS_BYTES + 16 ? Control.arg(in, 7) : 0; // an older peer does not count them
        long[] counts = {sent, Control.arg(in, 0), Control.arg(in, 1), Control.arg(in, 2), Control.arg(in, 3), duplicates};
        checkStats(counts, out.limit());
        return counts;
    }

    /** Sink runs so far: each one's SINK carries its number, and its STATS must carry it back. */
    private long sinkRuns = (System.nanoTime() & 0xFFFF) << 32;

    /** STATS's six counts after the 12-byte control header (a seventh, the run id, follows from ipclab's own peers). */
    private static final int STATS_BYTES = 12 + 6 * 8;

    /**
     * Waits for STATS, skipping late echoes of an unreliable mechanism, within one timeout in all:
     * a peer that streams anything but STATS is cut off there, not waited for message by message.
     */
    private int awaitStats(Channel ch, ByteBuffer in, Duration timeout, long runId) throws IOException {
        long deadline = clock.nanoTime() + Units.nanos(timeout);
        long skipped = 0;
        while (true) {
            long left = deadline - clock.nanoTime();
            if (left <= 0) {
                throw new IpcTimeoutException("the peer's counts (STATS) after " + skipped + " other messages", timeout);
            }
            in.clear();
            int n;
            try {
                n = ch.receive(in, Duration.ofNanos(left));
            } catch (IpcTimeoutException e) {
                throw new IpcTimeoutException("the peer's counts (STATS) after " + skipped + " other messages", timeout);
            }
            if (n == Channel.END_OF_STREAM) throw new IpcException("peer closed the channel before sending its counts");
            in.flip();
            if (Control.opcode(in, n) == Control.STATS) {
                if (n < STATS_BYTES) throw new ProtocolException("the peer's STATS has " + n + " bytes, not " + STATS_BYTES);
                // A STATS of an earlier run (a late duplicate) is never this run's figure; a server without run ids is taken at its word.
                if (n < STATS_BYTES + 8 || Control.arg(in, 6) == runId) return n;
            }
            skipped++;
        }
    }

    /**
     * The peer's counts must make sense before they become a figure: a server elsewhere
     * ({@code --connect}) may be buggy or lying. {sent, received, reordered, corrupt, bytes, duplicates?}.
     */
    static void checkStats(long[] c, int size) throws ProtocolException {
        long sent = c[0], received = c[1], reordered = c[2], corrupt = c[3], bytes = c[4];
        String why = null;
        long duplicates = c.length > 5 ? c[5] : 0;
        if (received < 0 || reordered < 0 || corrupt < 0 || bytes < 0 || duplicates < 0) why = "a negative count";
        else if (received > sent) why = "received " + received + " of " + sent + " sent";
        else if (reordered + corrupt > received) why = reordered + " reordered and " + corrupt + " corrupt of " + received + " received";
        else if (bytes != received * (long) size) why = bytes + " bytes for " + received + " messages of " + size + " bytes";
        if (why != null) throw new ProtocolException("the peer's counts make no sense (" + why + "); not reported as a result");
    }

    // ------------------------------------------------------------------ helpers

    /**
     * This process's CPU time (every thread, the JVM's own and those that have exited, user +
     * system) in ns: the kernel's {@code CLOCK_PROCESS_CPUTIME_ID}. Not the JDK's
     * {@code getProcessCpuTime}, which counts in 10 ms clock ticks here: a client of a 64-client
     * fan-in spends less than that in its window and read as 0. 0 where neither can tell.
     */
    public static long processCpuNanos() {
        long[] ts = new long[2];
        try {
            if (ProcessClock.LIBC.clock_gettime(ProcessClock.CLOCK_PROCESS_CPUTIME_ID, ts) == 0) return ts[0] * 1_000_000_000L + ts[1];
        } catch (LinkageError e) {
            // no libc binding here: the JDK's figure below
        }
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
    }

    /** clock_gettime(2) through jnr-ffi: a struct timespec is two longs on 64-bit Linux. */
    private static final class ProcessClock {
        static final int CLOCK_PROCESS_CPUTIME_ID = 2;
        static final LibC LIBC = jnr.ffi.LibraryLoader.create(LibC.class).load("c");

        public interface LibC {
            int clock_gettime(int clock, @jnr.ffi.annotations.Out long[] timespec);
        }
    }

    private Results.Cpu cpu(Target target, long self0, OptionalLong peer0, long messages) {
        if (messages == 0) return new Results.Cpu(null, null);
        long self = selfCpuNanos.getAsLong() - self0;
        OptionalLong peer1 = target.peerCpuNanos();
        Double peer = peer0.isPresent() && peer1.isPresent() ? (peer1.getAsLong() - peer0.getAsLong()) / 1e3 / messages : null;
        return new Results.Cpu(self / 1e3 / messages, peer);
    }

    private static Results.Latency latencyOf(Histogram h) {
        if (h.getTotalCount() == 0) return new Results.Latency(0, 0, 0, 0, 0, 0, 0);
        return new Results.Latency(h.getTotalCount(),
                us(h.getValueAtPercentile(50)), us(h.getValueAtPercentile(90)), us(h.getValueAtPercentile(99)),
                us(h.getValueAtPercentile(99.9)), us(h.getMaxValue()), h.getMean() / 1e3);
    }

    /** The percentile curve HdrHistogram plots (5 ticks per half distance), for the HTML report. */
    private static List<Results.Point> percentiles(Histogram h) {
        List<Results.Point> points = new ArrayList<>();
        if (h.getTotalCount() == 0) return points;
        for (org.HdrHistogram.HistogramIterationValue v : h.percentiles(5)) {
            points.add(new Results.Point(v.getPercentileLevelIteratedTo(), us(v.getValueIteratedTo())));
            if (v.getPercentileLevelIteratedTo() >= 100) break;
        }
        return points;
    }

    /** Counts the kernel's counters over each measured phase from now on (NONE: no counters). */
    public Runner window(MeasureWindow w) {
        this.window = w;
        return this;
    }

    /**
     * Ends the measured phase of a one-repeat, timed run at this instant of the clock instead of
     * {@code --duration} after its start: N fan-in clients, each starting at the end of its last
     * warm-up round trip, then stop together and no one measures while others have stopped.
     */
    public Runner endsAt(long nanos) {
        this.endsAt = java.util.OptionalLong.of(nanos);
        return this;
    }

    /** Receives every merged latency histogram with a label such as {@code tcp-latency-64}, e.g. to write .hgrm files. */
    public Runner onHistogram(BiConsumer<String, Histogram> sink) {
        this.histogramSink = sink;
        return this;
    }

    private static double us(long nanos) {
        return nanos / 1e3;
    }

    private static Results.Measurement finish(Target target, Mode mode, int size, List<Results.Repeat> repeats,
                                              Results.Summary summary, Results.Integrity integrity, Results.Cpu cpu) {
        boolean bad = target.reliable() ? !integrity.clean() : integrity.corrupt() > 0;
        String status = bad ? "integrity" : "ok";
        String error = bad ? "a reliable mechanism lost " + integrity.lost() + ", reordered " + integrity.reordered()
                + ", duplicated " + integrity.duplicates() + " and corrupted " + integrity.corrupt() + " messages" : null;
        return new Results.Measurement(target.mechanism(), mode.label(), size, status, error, target.parameters(),
                repeats, summary, integrity, cpu);
    }

    static Results.Measurement failed(Target target, Mode mode, int size, IOException error) {
        return new Results.Measurement(target.mechanism(), mode.label(), size, "failed", error.getMessage(),
                target.parameters(), List.of(), null, null, null);
    }

    /** Latency-mode integrity counters, updated on the measured path without allocation. */
    private static final class Counters {
        long sent;
        long received;
        long lost;
        long reordered;
        long corrupt;
        long duplicates;
        /** Which echoes came back, to tell a second copy from a late one. */
        final Integrity echoes = new Integrity();

        Results.Integrity integrity() {
            return new Results.Integrity(sent, received, lost, reordered, corrupt, duplicates);
        }
    }

}
