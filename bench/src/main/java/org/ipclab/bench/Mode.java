package org.ipclab.bench;

/** What a measurement measures. */
public enum Mode {
    /** Closed-loop ping-pong: one message out, its echo back, RTT recorded. */
    LATENCY,
    /** One-way stream of probes; the peer verifies and counts them. */
    THROUGHPUT;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
