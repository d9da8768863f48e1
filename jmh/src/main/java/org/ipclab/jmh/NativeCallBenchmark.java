package org.ipclab.jmh;

import java.util.concurrent.TimeUnit;

import jnr.ffi.LibraryLoader;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

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

/**
 * What crossing from Java into C costs, and what crossing into the kernel costs — the two taxes
 * under every IPC figure ipclab reports.
 *
 * <ul>
 *   <li>{@code javaAbs}: a plain Java call, the floor (~1 ns).</li>
 *   <li>{@code jnrAbs}: libc's {@code abs} through jnr-ffi: a native call that does no work, so the
 *       figure is the JNR/jffi call overhead alone (~10–20 ns).</li>
 *   <li>{@code jnrGetppid}: {@code getppid(2)} through JNR-POSIX: a real system call, so the figure
 *       adds the user→kernel→user transition (~0.1–1 µs; on this kind of VM near 1 µs, which is why a
 *       round trip of four syscalls and two wake-ups costs 15–30 µs).</li>
 * </ul>
 *
 * <pre>java -jar jmh/target/benchmarks.jar NativeCall</pre>
 *
 * Built on JDK 22+, the jar also has {@code FfmCallBenchmark}: the same calls through
 * {@code java.lang.foreign}, the {@code io=ffm} route's way into libc.
 *
 * What to take away: the JNR overhead is two orders of magnitude below a syscall, so a Java IPC
 * route is close to C exactly when it makes the same syscalls — count them, not the JNI hops.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class NativeCallBenchmark {
    /** The one libc function we need, bound by jnr-ffi. */
    public interface LibC {
        int abs(int value);
    }

    @Param({"-42"})
    public int value;

    private LibC libc;
    private POSIX posix;

    @Setup
    public void load() {
        libc = LibraryLoader.create(LibC.class).load("c");
        posix = POSIXFactory.getNativePOSIX();
    }

    @Benchmark
    public int javaAbs() {
        return Math.abs(value);
    }

    @Benchmark
    public int jnrAbs() {
        return libc.abs(value);
    }

    @Benchmark
    public int jnrGetppid() {
        return posix.getppid();
    }
}
