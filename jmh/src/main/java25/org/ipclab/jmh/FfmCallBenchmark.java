package org.ipclab.jmh;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
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
import org.openjdk.jmh.annotations.Warmup;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@link NativeCallBenchmark}'s calls through the JDK's own foreign function API (JDK 22+; this
 * source set is compiled only there), the way ipc-core's {@code io=ffm} route makes its
 * {@code read}/{@code write}: {@code ffmAbs} is the downcall overhead alone, {@code ffmGetppid}
 * adds the system call, {@code ffmGetppidErrno} adds capturing errno (what every call of the
 * route pays). Compare with {@code jnrAbs}/{@code jnrGetppid} in the same run:
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
}
