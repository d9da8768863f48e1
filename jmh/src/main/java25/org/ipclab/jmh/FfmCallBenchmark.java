package org.ipclab.jmh;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@link NativeCallBenchmark}'s calls through the JDK's own foreign function API (JDK 22+; this
 * source set is compiled only there), the way ipc-core's {@code io=ffm} route makes its
 * {@code read}/{@code write}: {@code ffmAbs} is the downcall overhead alone, {@code ffmGetppid}
 * adds the system call, {@code ffmGetppidErrno} adds capturing errno (what every call of the
 * route pays). Compare with {@code jnrAbs}/{@code jnrGetppid} in the same run. {@code ffmWriteRead} is
 * the floor under {@code RunnerWorkBenchmark.calls}: a 64-byte {@code write} and {@code read} on a
 * FIFO opened read-write, straight downcalls with no channel around them and no errno capture —
 * what a C program pays for the same two calls, plus two downcalls:
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -jar jmh/target/benchmarks.jar 'NativeCall|FfmCall'</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class FfmCallBenchmark {
    @Param({"-42"})
    public int value;

    private MethodHandle abs;
    private MethodHandle getppid;
    private MethodHandle getppidErrno;
    private MemorySegment errno;

    @Setup
    public void link() {
        Linker linker = Linker.nativeLinker();
        MemorySegment absSymbol = linker.defaultLookup().find("abs").orElseThrow();
        MemorySegment getppidSymbol = linker.defaultLookup().find("getppid").orElseThrow();
        abs = linker.downcallHandle(absSymbol, FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        getppid = linker.downcallHandle(getppidSymbol, FunctionDescriptor.of(JAVA_INT));
        getppidErrno = linker.downcallHandle(getppidSymbol, FunctionDescriptor.of(JAVA_INT),
                Linker.Option.captureCallState("errno"));
        errno = Arena.ofAuto().allocate(Linker.Option.captureStateLayout());
    }

    @Benchmark
    public int ffmAbs() throws Throwable {
        return (int) abs.invokeExact(value);
    }

    @Benchmark
    public int ffmGetppid() throws Throwable {
        return (int) getppid.invokeExact();
    }

    @Benchmark
    public int ffmGetppidErrno() throws Throwable {
        return (int) getppidErrno.invokeExact(errno);
    }

    /** A FIFO opened O_RDWR (one descriptor is both ends, never waits for a peer) and 64 bytes of native memory. */
    @State(Scope.Thread)
    public static class Fifo {
        private static final int O_RDWR = 2;
        MethodHandle write;
        MethodHandle read;
        MethodHandle close;
        int fd = -1;
        MemorySegment buffer;
        Path dir;

        @Setup
        public void open() throws Throwable {
            Linker linker = Linker.nativeLinker();
            write = linker.downcallHandle(linker.defaultLookup().find("write").orElseThrow(), FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
            read = linker.downcallHandle(linker.defaultLookup().find("read").orElseThrow(), FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
            close = linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
            MethodHandle open = linker.downcallHandle(linker.defaultLookup().find("open").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
            dir = Files.createTempDirectory("ipclab-jmh");
            Path path = dir.resolve("named-pipe");
            if (new ProcessBuilder("mkfifo", "-m", "600", path.toString()).inheritIO().start().waitFor() != 0) throw new IOException("mkfifo " + path);
            Arena arena = Arena.ofAuto();
            fd = (int) open.invokeExact(arena.allocateFrom(path.toString()), O_RDWR);
            Files.delete(path);
            if (fd < 0) throw new IOException("open " + path + " failed");
            buffer = arena.allocate(64);
        }

        @TearDown
        public void shut() throws Throwable {
            if (fd >= 0) {
                int ignored = (int) close.invokeExact(fd);
            }
            Files.deleteIfExists(dir);
        }
    }

    @Benchmark
    public long ffmWriteRead(Fifo f) throws Throwable {
        long w = (long) f.write.invokeExact(f.fd, f.buffer, 64L);
        long r = (long) f.read.invokeExact(f.fd, f.buffer, 64L);
        return w + r;
    }
}
