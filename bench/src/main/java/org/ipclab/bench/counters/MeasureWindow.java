package org.ipclab.bench.counters;

import org.ipclab.bench.Results;

/**
 * The runner's hook around a measured phase: {@link #begin()} right before the first measured
 * message, {@link #end} right after the last. Neither throws: a counter that could not be read
 * comes back as unavailable, with the reason.
 */
public interface MeasureWindow {
    /** Counts nothing; {@link #end} returns null (no counters in the result). */
    MeasureWindow NONE = new MeasureWindow() {
        @Override
        public void begin() {
        }

        @Override
        public Results.Counters end(long messages, String per) {
            return null;
        }
    };

    void begin();

    /**
     * @param messages what the phase counted: round trips in latency mode, messages sent in throughput mode
     * @param per      "round trip" or "message", said with the figures
     */
    Results.Counters end(long messages, String per);
}
