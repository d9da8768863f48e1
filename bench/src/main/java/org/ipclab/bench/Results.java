package org.ipclab.bench;

import java.util.List;
import java.util.Map;

/** The result model, serialised as-is to JSON (docs/results-schema.md, docs/results.schema.json). */
public final class Results {
    /**
     * The shape of the JSON this build writes. Raised when a field changes meaning or spelling (not for
     * added fields); a reader refuses files of a newer version. 1: the unversioned files before it.
     */
    public static final int SCHEMA_VERSION = 2;

    private Results() {
    }

    /**
     * One file's worth: environment, configuration, measurements. {@code partial} when the run was
     * interrupted. {@code settings}: each option of the run with its value and where that came from
     * (command line, environment variable, properties file, built-in default).
     */
    public record Report(String tool, Integer schemaVersion, String version, String startedAt, Map<String, String> environment,
                         BenchConfig config, List<Measurement> measurements, List<String> notes, boolean partial,
                         Map<String, Setting> settings) {
        public Report(String tool, String version, String startedAt, Map<String, String> environment,
                      BenchConfig config, List<Measurement> measurements, List<String> notes, boolean partial) {
            this(tool, SCHEMA_VERSION, version, startedAt, environment, config, measurements, notes, partial, Map.of());
        }

        public Report withSettings(Map<String, Setting> s) {
            return new Report(tool, schemaVersion, version, startedAt, environment, config, measurements, notes, partial, s);
        }

        /** Files written before the schema was versioned carry none: version 1. */
        public int schema() {
            return schemaVersion == null ? 1 : schemaVersion;
        }
    }

    /** An option's effective value and its source: "command line", "default", "env IPCLAB_…", "file PATH". */
    public record Setting(String value, String source) {
    }

    /**
     * One mechanism × mode × size. {@code status} is "ok", "failed" (see {@code error}) or
     * "integrity" (it ran, but a reliable mechanism lost, reordered or corrupted messages).
     * {@code placement} is null for a run with one placement (see the environment's "pinning"), else
     * the placement this row ran under ("same-cpu 0,0", "cross-cpu 0,1"); Java and C alike.
     */
    public record Measurement(String mechanism, String mode, int sizeBytes, String status, String error,
                              Map<String, String> parameters, List<Repeat> repeats, Summary summary,
                              Integrity integrity, Cpu cpu, Baseline baseline, Counters counters, String placement,
                              FanIn fanIn, org.ipclab.bench.scale.PairsFigures pairs) {
        public Measurement(String mechanism, String mode, int sizeBytes, String status, String error,
                           Map<String, String> parameters, List<Repeat> repeats, Summary summary,
                           Integrity integrity, Cpu cpu) {
            this(mechanism, mode, sizeBytes, status, error, parameters, repeats, summary, integrity, cpu, null, null, null, null, null);
        }

        public Measurement(String mechanism, String mode, int sizeBytes, String status, String error,
                           Map<String, String> parameters, List<Repeat> repeats, Summary summary,
                           Integrity integrity, Cpu cpu, Baseline baseline, Counters counters, String placement) {
            this(mechanism, mode, sizeBytes, status, error, parameters, repeats, summary, integrity, cpu, baseline, counters, placement, null, null);
        }

        /** A fan-in row ({@code ipc bench --clients N}): N clients against one server end; the summary is the aggregate. */
        public Measurement withFanIn(FanIn f) {
            return new Measurement(mechanism, mode, sizeBytes, status, error, parameters, repeats, summary, integrity, cpu, baseline, counters, placement, f, pairs);
        }

        /** The aggregate of {@code ipc bench --pairs N}: how it was made and each pair (null for a single pair run). */
        public Measurement withPairs(org.ipclab.bench.scale.PairsFigures p) {
            return new Measurement(mechanism, mode, sizeBytes, status, error, parameters, repeats, summary, integrity, cpu, baseline, counters, placement, fanIn, p);
        }

        public boolean ok() {
            return "ok".equals(status);
        }

        public Measurement withBaseline(Baseline b) {
            return new Measurement(mechanism, mode, sizeBytes, status, error, parameters, repeats, summary, integrity, cpu, b, counters, placement, fanIn, pairs);
        }

        public Measurement withCounters(Counters c) {
            return new Measurement(mechanism, mode, sizeBytes, status, error, parameters, repeats, summary, integrity, cpu, baseline, c, placement, fanIn, pairs);
        }

        /** Tagged with the placement axis value it ran under ("same-cpu 0,0"), for runs over several placements. */
        public Measurement withPlacement(String p) {
            return new Measurement(mechanism, mode, sizeBytes, status, error, parameters, repeats, summary, integrity, cpu, baseline, counters, p, fanIn, pairs);
        }
    }

    /**
     * The native C program's figure for the same mechanism, mode and size, measured right after the
     * Java one; ratios are Java/C (for latency &gt; 1 means Java is slower, for rates &lt; 1 does).
     * {@code error} is set (and the figures null) when the C run failed.
     */
    public record Baseline(String program, Double p50Us, Double p99Us, Double msgsPerSec, Double mbPerSec,
                           Double p50Ratio, Double p99Ratio, Double rateRatio, String error, Counters counters, Cpu cpu) {
        public Baseline(String program, Double p50Us, Double p99Us, Double msgsPerSec, Double mbPerSec,
                        Double p50Ratio, Double p99Ratio, Double rateRatio, String error) {
            this(program, p50Us, p99Us, msgsPerSec, mbPerSec, p50Ratio, p99Ratio, rateRatio, error, null, null);
        }

        public Baseline(String program, Double p50Us, Double p99Us, Double msgsPerSec, Double mbPerSec,
                        Double p50Ratio, Double p99Ratio, Double rateRatio, String error, Counters counters) {
            this(program, p50Us, p99Us, msgsPerSec, mbPerSec, p50Ratio, p99Ratio, rateRatio, error, counters, null);
        }
    }

    /**
     * A fan-in run: {@code clients} processes against one server end, over one shared window.
     * {@code finished} of them delivered figures; a client that died (SIGKILL) is a failed entry of
     * {@code perClient}, not a failed run. {@code fairness}: the smallest and largest share of the
     * messages one finished client got through (1/finished each when the server is fair).
     */
    public record FanIn(int clients, int finished, List<ClientResult> perClient, Fairness fairness) {
    }

    /**
     * One client of a fan-in run: {@code status} "ok", "integrity" (the server saw its messages lost,
     * reordered or corrupt) or "failed" ({@code error} says why: killed by signal 9, ...);
     * {@code messages} round trips or messages sent in the window, {@code share} its part of the finished
     * clients' total, {@code integrity} its own sequence numbers as checked on arrival.
     */
    public record ClientResult(int client, long pid, String status, String error, long messages, double seconds,
                              Double msgsPerSec, Double share, Integrity integrity, Latency latency) {
    }

    /** The smallest and largest per-client share of the messages (0..1), and max/min. */
    public record Fairness(double minShare, double maxShare, Double maxOverMin) {
    }

    /** One measured iteration. {@code latency} is null in throughput mode, the rates are null in latency mode. */
    public record Repeat(long messages, double seconds, Latency latency, Double msgsPerSec, Double mbPerSec) {
    }

    /** RTT percentiles in microseconds, from an HdrHistogram. */
    public record Latency(long count, double p50Us, double p90Us, double p99Us, double p999Us, double maxUs, double meanUs) {
    }

    /**
     * Across repeats: latency from all repeats' histograms merged; rates as the median repeat; spread
     * as min..max of repeats. Open loop ({@code targetRate} set): {@code latency} is measured from each
     * message's intended send time (coordinated omission corrected), {@code rawLatency} from its
     * actual send time.
     */
    public record Summary(Latency latency, Spread p50Us, Double msgsPerSec, Double mbPerSec, Spread msgsPerSecSpread,
                          Latency rawLatency, Double targetRate, Double achievedRate, List<Point> percentiles) {
        public Summary(Latency latency, Spread p50Us, Double msgsPerSec, Double mbPerSec, Spread msgsPerSecSpread) {
            this(latency, p50Us, msgsPerSec, mbPerSec, msgsPerSecSpread, null, null, null, null);
        }

        public boolean openLoop() {
            return targetRate != null;
        }
    }

    /** One point of a latency distribution: percentile (0..100) and the RTT at it in µs. */
    public record Point(double percentile, double us) {
    }

    /** min, median and max of one figure over the repeats, and (max-min)/median in percent. */
    public record Spread(double min, double median, double max, double percent) {
        static Spread of(List<Double> values) {
            if (values.isEmpty()) return null;
            List<Double> sorted = values.stream().sorted().toList();
            double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                    : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
            double min = sorted.get(0);
            double max = sorted.get(sorted.size() - 1);
            return new Spread(min, median, max, median == 0 ? 0 : 100 * (max - min) / median);
        }
    }

    /**
     * What arrived against what was sent, over warm-up excluded, all repeats included. Received
     * counts each message once; {@code duplicates} are the second copies beside it (0 in files
     * written before they were counted).
     */
    public record Integrity(long sent, long received, long lost, long reordered, long corrupt, long duplicates) {
        public Integrity(long sent, long received, long lost, long reordered, long corrupt) {
            this(sent, received, lost, reordered, corrupt, 0);
        }

        public boolean clean() {
            return lost == 0 && reordered == 0 && corrupt == 0 && duplicates == 0;
        }
    }

    /** CPU time per message in microseconds: this process and the peer (null when not measurable). */
    public record Cpu(Double runnerUsPerMsg, Double peerUsPerMsg) {
    }

    /**
     * The kernel's own counters over the measured phase (warm-up excluded), per message: per round
     * trip in latency mode, per message sent in throughput mode. One {@link CounterGroup} per
     * process and kind of thread: the threads that do the work, and the JVM's own (GC, JIT, ...)
     * apart. {@code perf} is null when perf counted, else why it did not.
     */
    public record Counters(long messages, String per, List<CounterGroup> groups, String perf) {
        /** The group of this process ("runner", "peer") and kind ("work", "jvm"), or null. */
        public CounterGroup group(String process, String threads) {
            for (CounterGroup g : groups) if (g.process().equals(process) && g.threads().equals(threads)) return g;
            return null;
        }

        /** The same totals per a count known only after the phase (a fan-in's messages come with its clients' figures). */
        public Counters per(long count, String unit) {
            List<CounterGroup> out = new java.util.ArrayList<>();
            for (CounterGroup g : groups) {
                Map<String, Figure> figures = new java.util.LinkedHashMap<>();
                g.figures().forEach((k, f) -> figures.put(k, f.total() == null ? f : Figure.of(f.total(), count, f.source())));
                out.add(new CounterGroup(g.process(), g.threads(), g.pid(), g.tids(), g.cpusAllowed(), g.ranOn(), figures));
            }
            return new Counters(count, unit, out, perf);
        }
    }

    /**
     * The counters of one process's threads of one kind. {@code cpusAllowed} is the kernel's
     * Cpus_allowed_list; {@code ranOn} the CPUs those threads were last seen on (stat field 39).
     * {@code figures} is keyed by counter name (docs/results-schema.md lists them).
     */
    public record CounterGroup(String process, String threads, long pid, List<Long> tids, String cpusAllowed,
                               List<Integer> ranOn, Map<String, Figure> figures) {
    }

    /**
     * One counter: {@code total} over the phase and {@code perMessage}; {@code source} names where it
     * came from ("perf raw_syscalls:sys_enter", "/proc/PID/task/TID/status voluntary_ctxt_switches").
     * When the kernel would not tell, both numbers are null and {@code unavailable} says why.
     */
    public record Figure(Double perMessage, Long total, String source, String unavailable) {
        public static Figure of(long total, long messages, String source) {
            return new Figure(messages > 0 ? (double) total / messages : null, total, source, null);
        }

        public static Figure unavailable(String source, String why) {
            return new Figure(null, null, source, why);
        }
    }
}
