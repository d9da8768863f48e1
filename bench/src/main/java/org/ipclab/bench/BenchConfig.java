package org.ipclab.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything a run is asked to do, immutable, printed at start and stored with the results.
 *
 * @param count messages per repeat; 0 means "as many as fit in {@code duration}"
 * @param rate  open-loop latency: messages per second on a fixed schedule; 0 means closed loop
 */
public record BenchConfig(List<String> mechanisms, List<Mode> modes, List<Integer> sizes,
                          Duration warmup, Duration duration, long count, int repeat,
                          Duration timeout, Map<String, String> options, double rate) {
    public BenchConfig(List<String> mechanisms, List<Mode> modes, List<Integer> sizes, Duration warmup,
                       Duration duration, long count, int repeat, Duration timeout, Map<String, String> options) {
        this(mechanisms, modes, sizes, warmup, duration, count, repeat, timeout, options, 0);
    }

    public BenchConfig {
        mechanisms = List.copyOf(mechanisms);
        modes = List.copyOf(modes);
        sizes = List.copyOf(sizes);
        options = Map.copyOf(options);
    }
}
