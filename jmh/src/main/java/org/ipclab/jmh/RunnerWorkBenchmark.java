package org.ipclab.jmh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ByteChannel;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.Framing;
import org.ipclab.core.StreamChannel;
import org.ipclab.core.io.IoRoute;
import org.ipclab.core.peer.Integrity;
import org.ipclab.core.peer.PeerProtocol;
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
 * What one side of a round trip costs in Java, layer by layer, with the wake-up taken out: one
 * thread writes one message into a real kernel pipe (a FIFO opened read-write, so that one
 * descriptor is both ends, as {@code pipe} and {@code fifo} use it) and reads it back: one
 * {@code write} and one {@code read}, the two calls each side of a round trip makes, as the C
 * program does. The figures are the calls plus what each layer adds, in a warm cache.
 * <ul>
 *   <li>{@code calls}: the route's channel alone ({@code io=nio}: the JDK's; {@code io=ffm}: raw
 *       {@code write}/{@code read} through {@code java.lang.foreign}), no header.</li>
 *   <li>{@code channel}: the same through ipclab's framing ({@link StreamChannel}: length header,
 *       deadline).</li>
 *   <li>{@code runnerSide}: what the bench runner does per round trip around those calls: two clock
 *       reads, the probe's stamp, the echo's check (CRC32C of the payload), the integrity record and
 *       the histogram record.</li>
 *   <li>{@code bookkeeping}: that work without the calls.</li>
 * </ul>
 * {@code runnerSide − calls} is ipclab's own Java per side and round trip; what a measured round trip
 * costs beyond C and beyond that is the JVM's larger working set, cold after every switch between
 * the two processes (a figure no single-thread benchmark can show).
 *
 * <pre>
 * java -jar jmh/target/benchmarks.jar RunnerWork                        # JDK 17: io=nio
 * $J25/bin/java -jar jmh/target/benchmarks.jar RunnerWork -p io=nio,ffm # a JDK 25 build
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class RunnerWorkBenchmark {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** {@code nio} or {@code ffm} (JDK 22+), as {@code --opt io=}. */
    @Param({"nio"})
    public String io;

    @Param({"64"})
    public int size;

    private Path dir;
    private FileChannel fifo;
    private ByteChannel sink;
    private ByteChannel source;
    private StreamChannel channel;
    private PeerProtocol.Probes probes;
    private ByteBuffer raw;
    private ByteBuffer in;
    private final Integrity echoes = new Integrity();
    private final Histogram histogram = new Histogram(3_600_000_000_000L, 3);
    private long seq;

    @Setup(Level.Trial)
    public void open() throws IOException {
        IoRoute route = IoRoute.of(ChannelSpec.of("runner-work").with(IoRoute.OPTION, io));
        dir = Files.createTempDirectory("ipclab-jmh");
        Path path = dir.resolve("named-pipe");
        try {
            if (new ProcessBuilder("mkfifo", "-m", "600", path.toString()).inheritIO().start().waitFor() != 0) {
                throw new IOException("mkfifo " + path + " failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted making " + path);
        }
        fifo = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE); // O_RDWR: never waits for a peer
        Files.delete(path);
        sink = route.wrap(fifo);
        source = sink;
        channel = new StreamChannel("runner-work", source, sink, Framing.DEFAULT_MAX_MESSAGE);
        probes = PeerProtocol.CONTROL.probes(size);
        raw = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
        in = ByteBuffer.allocateDirect(Math.max(64, size) + Framing.HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Benchmark
    public int calls() throws IOException {
        raw.clear();
        while (raw.hasRemaining()) sink.write(raw);
        in.clear().limit(size);
        while (in.hasRemaining()) source.read(in);
        return size;
    }

    @Benchmark
    public int channel() throws IOException {
        probes.stamp(seq++, 0);
        channel.send(probes.message(), TIMEOUT);
        in.clear();
        return channel.receive(in, TIMEOUT);
    }

    @Benchmark
    public long runnerSide() throws IOException {
        long sent = System.nanoTime();
        probes.stamp(seq, sent);
        channel.send(probes.message(), TIMEOUT);
        in.clear();
        int n = channel.receive(in, TIMEOUT);
        long now = System.nanoTime();
        in.flip();
        long got = probes.verify(in, n);
        echoes.record((int) got, true, n);
        histogram.recordValue(Math.max(1, now - sent));
        return got ^ seq++;
    }

    @Benchmark
    public long bookkeeping() {
        long sent = System.nanoTime();
        probes.stamp(seq, sent);
        ByteBuffer echo = probes.message();
        long now = System.nanoTime();
        long got = probes.verify(echo, echo.remaining());
        echoes.record((int) got, true, size);
        histogram.recordValue(Math.max(1, now - sent));
        return got ^ seq++;
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        channel.close();
        fifo.close();
        Files.deleteIfExists(dir);
    }
}
