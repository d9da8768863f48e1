package org.ipclab.jmh;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one reading of {@code System.nanoTime()} costs, and the smallest step it can show — both
 * bound what an RTT below a microsecond can mean (the shared-memory results).
 *
 * <p>{@code latency} is the cost of a call; {@code granularity} spins until the value changes and
 * so measures the clock's resolution. On Linux with the TSC clocksource both are ~20–30 ns; on a VM
 * whose clocksource fell back to {@code hpet} or {@code acpi_pm} the cost can exceed a microsecond
 * (check {@code /sys/devices/system/clocksource/clocksource0/current_clocksource}).
 *
 * <pre>java -jar jmh/target/benchmarks.jar Clock</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class ClockBenchmark {
    private long last;

    @Benchmark
    public long latency() {
        return System.nanoTime();
    }

    @Benchmark
    public long granularity() {
        long current;
        do {
            current = System.nanoTime();
        } while (current == last);
        last = current;
        return current;
    }
}
