package org.ipclab.jmh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.Channel;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.Providers;
import org.ipclab.core.ServerEnd;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
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
import org.openjdk.jmh.infra.Control;

/**
 * A mechanism between two threads of one JVM: the same kernel objects (or the same mapped
 * /dev/shm file) and the same code as between two processes, minus process scheduling. Every
 * mechanism whose try calls never block is measured ({@link Suite} fills in the {@code mechanism}
 * parameter from the descriptions). Two groups:
 *
 * <ul>
 * <li>{@code rtt}: thread "ping" sends one message and waits for the echo that thread "pong"
 *     sends back; the score (average time) is one round trip.</li>
 * <li>{@code stream}: "producer" trySends as fast as the ring allows, "consumer" tryReceives;
 *     the score (throughput, ops/µs per thread) is messages moved.</li>
 * </ul>
 *
 * Both sides poll with {@code trySend}/{@code tryReceive} and check {@link Control#stopMeasurement}
 * (the JMH "Control" sample): a blocking receive would hang the iteration's end, when the other
 * thread has already stopped. Polling = busy-spin, so each group needs two free cores.
 *
 * <pre>
 * java -jar jmh/target/benchmarks.jar TwoThread -p size=64,4096
 * </pre>
 * What you should see: shm (busy-spin) in the 0.1–0.7 µs range on a 2-core VM (depends on where the
 * vCPUs land), far below any kernel-mediated mechanism; with polling, each group needs two free cores.
 */
@State(Scope.Group)
@Fork(1) // the fork's flags come from the mechanisms' descriptions: see Suite
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TwoThreadBenchmark {
    private static final Duration SETUP = Duration.ofSeconds(5);

    /**
     * Filled in by {@link Suite} from the descriptions (or {@code -p threaded=...}); its own name, because
     * the set differs from {@link RoundTripBenchmark#mechanism}'s: here the try calls must never block.
     */
    @Param({})
    String threaded;

    @Param({"64", "4096"})
    int size;

    private ServerEnd server;
    private Channel a;
    private Channel b;
    private ByteBuffer outA;
    private ByteBuffer inA;
    private ByteBuffer bufB;

    @Setup(Level.Trial)
    public void open() throws IOException {
        // Each mechanism at its defaults; a wait strategy is irrelevant: only trySend/tryReceive are used.
        ChannelSpec spec = ChannelSpec.of(threaded);
        server = Providers.forSpec(spec).open(spec);
        b = Providers.get(threaded).connect(server.peerSpec(), SETUP);
        a = server.accept(SETUP, Optional.empty());
        outA = ByteBuffer.allocateDirect(size);
        inA = ByteBuffer.allocateDirect(size);
        bufB = ByteBuffer.allocateDirect(size);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        a.close();
        b.close();
        server.close();
    }

    @Benchmark
    @Group("rtt")
    @GroupThreads(1)
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int ping(Control control) throws IOException {
        while (!a.trySend(outA.clear())) {
            if (control.stopMeasurement) return 0;
            Thread.onSpinWait();
        }
        while (true) {
            int n = a.tryReceive(inA.clear());
            if (n != Channel.NO_MESSAGE || control.stopMeasurement) return n;
            Thread.onSpinWait();
        }
    }

    @Benchmark
    @Group("rtt")
    @GroupThreads(1)
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int pong(Control control) throws IOException {
        int n;
        while ((n = b.tryReceive(bufB.clear())) == Channel.NO_MESSAGE) {
            if (control.stopMeasurement) return 0;
            Thread.onSpinWait();
        }
        bufB.flip();
        while (!b.trySend(bufB)) {
            if (control.stopMeasurement) return n;
            Thread.onSpinWait();
        }
        return n;
    }

    @Benchmark
    @Group("stream")
    @GroupThreads(1)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public boolean producer(Control control) throws IOException {
        while (!a.trySend(outA.clear())) {
            if (control.stopMeasurement) return false;
            Thread.onSpinWait();
        }
        return true;
    }

    @Benchmark
    @Group("stream")
    @GroupThreads(1)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int consumer(Control control) throws IOException {
        int n;
        while ((n = b.tryReceive(bufB.clear())) == Channel.NO_MESSAGE) {
            if (control.stopMeasurement) return 0;
            Thread.onSpinWait();
        }
        return n;
    }
}
