package org.ipclab.bench.scale;

import java.util.List;


import org.ipclab.bench.Results;

/**
 * What a {@code --pairs N} row adds to its measurement: the row itself is the aggregate of N
 * concurrent pairs (latency from their histograms merged with {@code Histogram.add}, rates summed
 * over the same measured window), and this says how it was made and what each pair did.
 *
 * @param pairs      N, the pairs that ran at once
 * @param shape      the processes, e.g. "Java: 1 runner JVM × 4 threads + 4 peer JVMs; C: 4 C runners + 4 forked C peers"
 * @param placement  where they ran ("unpinned", or the --pin/--placement CPUs applied to every pair)
 * @param merge      how the aggregate was made from the pairs, in words
 * @param failed     pairs that failed; the aggregate covers the others
 * @param perPair    each Java pair
 * @param nativePairs each C pair (empty without the C baseline)
 * @param background the load that ran beside the measurement, or null
 */
public record PairsFigures(int pairs, String shape, String placement, String merge, int failed,
                           List<Pair> perPair, List<Pair> nativePairs, Load background) {

    /**
     * One pair: its status ("ok", "failed", "integrity") and, when it ran, its latency (closed loop),
     * its rate (round trips/s in latency mode, messages/s in throughput mode) and CPU. {@code parameters}:
     * the pair's own objects as its server end made them (socket path, queue names, segment), so
     * that each pair's are seen to be its own; empty for a C pair. {@code counters}: a Java pair's
     * own, per message of that pair: its runner thread ("runner", the thread named ipclab-pair-N;
     * a mechanism's helper threads in the runner JVM are not in it) and its peer JVM ("peer"); null
     * for a C pair (the C baseline's counters are per program run, summed on the row) or without counters.
     */
    public record Pair(int index, String status, String error, Long peerPid, Results.Latency latency,
                       Double msgsPerSec, Results.Cpu cpu, Results.Integrity integrity, java.util.Map<String, String> parameters,
                       Results.Counters counters) {
        public Pair(int index, String status, String error, Long peerPid, Results.Latency latency,
                    Double msgsPerSec, Results.Cpu cpu, Results.Integrity integrity, java.util.Map<String, String> parameters) {
            this(index, status, error, peerPid, latency, msgsPerSec, cpu, integrity, parameters, null);
        }
    }

    /**
     * The load beside the measurement ({@code --background}): what it was, the CPU it used over the
     * measurement (seconds, and in CPUs' worth), and for a pair load its own messages per second.
     */
    public record Load(String spec, String description, Double cpuSeconds, Double cpus, Long messages,
                       Double msgsPerSec, String error) {
    }
}
