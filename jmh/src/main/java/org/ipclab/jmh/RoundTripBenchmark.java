package org.ipclab.jmh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.ChannelSpec;
import org.ipclab.core.peer.PeerLauncher;
import org.ipclab.core.peer.PeerSession;
import org.ipclab.core.peer.Probe;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One round trip to a peer process, per mechanism and size: the same exchange {@code ipc bench}
 * measures, under JMH's harness (forks, iterations, its own statistics).
 *
 * <p>The peer JVM starts once per trial ({@code @Setup(Level.Trial)}) from the JMH fork, with the
 * fork's class path and flags, so the measured loop is only send + receive. JMH reports the
 * average time per round trip; {@code ipc bench} reports the percentiles — compare the two as a
 * cross-check of the runner.
 *
 * <pre>
 * java -jar jmh/target/benchmarks.jar RoundTrip -p size=64 -rf json -rff jmh.json
 * </pre>
 *
 * What you should see on a 2-vCPU VM: 15–30 µs per round trip for any kernel-mediated mechanism
 * at 64 B, close to {@code ipc bench}'s p50/mean for the same mechanism.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1) // JMH forks with -cp, so the jar manifest's flags do not apply: Suite adds each mechanism's own
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RoundTripBenchmark {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /**
     * Filled in by {@link Suite} from the descriptions: every available, reliable mechanism that
     * speaks the control protocol (a lost UDP echo would block an invocation until its timeout;
     * {@code ipc bench} counts loss instead). {@code -p mechanism=...} picks some.
     */
    @Param({})
    public String mechanism;

    @Param({"64", "4096"})
    public int size;

    private PeerSession peer;
    private final Probe probe = new Probe();
    private ByteBuffer out;
    private ByteBuffer in;
    private int fill;
    private long seq;

    @Setup(Level.Trial)
    public void startPeer() throws IOException {
        peer = PeerLauncher.launch(ChannelSpec.of(mechanism), Duration.ofSeconds(30));
        out = Probe.newBuffer(size);
        fill = probe.fillChecksum(out);
        in = ByteBuffer.allocateDirect(Math.max(64, size)).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Benchmark
    public int roundTrip() throws IOException {
        probe.stamp(out, seq++, 0, fill);
        peer.channel().send(out, TIMEOUT);
        in.clear();
        return peer.channel().receive(in, TIMEOUT);
    }

    @TearDown(Level.Trial)
    public void stopPeer() {
        if (peer != null) peer.close();
    }
}
