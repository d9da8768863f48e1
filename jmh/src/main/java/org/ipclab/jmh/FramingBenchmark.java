package org.ipclab.jmh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.Framing;
import org.ipclab.core.StreamChannel;
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
 * The cost of ipclab's framing itself, separated from any kernel wait: one message written and
 * read back through a {@link StreamChannel} over an in-process {@link Pipe} (a real kernel pipe
 * pair, so two syscalls per message; no other thread, so no wake-up).
 *
 * <p>Compare {@code frameThroughPipe} with {@code rawPipe} (the same bytes with no header and no
 * buffering): the difference is what the length prefix, the buffer copies and the deadline
 * bookkeeping cost — tens of nanoseconds against the microseconds of a round trip.
 *
 * <pre>java -jar jmh/target/benchmarks.jar Framing</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class FramingBenchmark {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Param({"64", "4096"})
    public int size;

    private Pipe pipe;
    private StreamChannel channel;
    private ByteBuffer message;
    private ByteBuffer in;

    @Setup(Level.Trial)
    public void open() throws IOException {
        pipe = Pipe.open();
        channel = new StreamChannel("framing", pipe.source(), pipe.sink(), Framing.DEFAULT_MAX_MESSAGE);
        message = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
        in = ByteBuffer.allocateDirect(size + Framing.HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Benchmark
    public int frameThroughPipe() throws IOException {
        channel.send(message.clear(), TIMEOUT);
        in.clear();
        return channel.receive(in, TIMEOUT);
    }

    @Benchmark
    public int rawPipe() throws IOException {
        message.clear();
        while (message.hasRemaining()) pipe.sink().write(message);
        in.clear().limit(size);
        while (in.hasRemaining()) pipe.source().read(in);
        return size;
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        channel.close();
    }
}
