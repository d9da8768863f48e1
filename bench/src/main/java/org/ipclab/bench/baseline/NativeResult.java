package org.ipclab.bench.baseline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.ipclab.bench.Results;
import org.ipclab.bench.counters.PerfStat;
import org.ipclab.bench.counters.ThreadSample;

/**
 * One run of the native C baseline ({@code ipclab-native}), parsed from the JSON line it prints.
 *
 * <p>Times are microseconds of round-trip time (RTT); in throughput mode the percentile fields are
 * {@link Double#NaN} (not measured). {@code msgsPerSecond} is round trips per second in latency
 * mode and messages per second in throughput mode; {@code mbPerSecond} counts 10^6 payload bytes
 * (frame headers excluded). CPU times are per message (per round trip in latency mode), for the
 * runner and its forked peer, over the measured phase only; NaN when the kernel would not tell.
 *
 * @param params   what the kernel applied, as the C program saw it ("pipe_capacity=65536", ...)
 * @param counters the kernel's counters of the C runner and peer over the measured phase (counters.c), or null
 *                 when the program printed none
 * @param json   the line as printed, for the raw record
 * @param duplicates second copies of a probe the C program counted apart from received (sink and open loop)
 */
public record NativeResult(
        String mechanism, String mode, int size, long count,
        double p50Us, double p90Us, double p99Us, double p999Us, double maxUs, double meanUs,
        double msgsPerSecond, double mbPerSecond, double elapsedSeconds,
        double cpuRunnerNsPerMessage, double cpuPeerNsPerMessage,
        long sent, long received, long lost, long reordered, long corrupt,
        String params, Results.Counters counters, String json, long duplicates) {
    private static final ObjectMapper JSON = new ObjectMapper();


    /** The C runner's and peer's CPU time per message (latency: per round trip) in µs, as the Java rows give theirs. */
    public Results.Cpu cpu() {
        return new Results.Cpu(microseconds(cpuRunnerNsPerMessage), microseconds(cpuPeerNsPerMessage));
    }

    private static Double microseconds(double ns) {
        return Double.isFinite(ns) && ns >= 0 ? ns / 1e3 : null;
    }

    /** True when nothing was lost, reordered, duplicated or corrupted; a mechanism that is not reliable (UDP) may lose. */
    public boolean integrityOk(boolean reliable) {
        return corrupt == 0 && reordered == 0 && duplicates == 0 && (lost == 0 || !reliable);
    }

    /**
     * Parses the one JSON line of {@code ipclab-native}: a flat object of strings, numbers and nulls.
     *
     * @throws IllegalArgumentException naming the problem when the line is not such an object or a
     *                                  field is missing
     */
    public static NativeResult parse(String line) {
        JsonNode m;
        try {
            m = JSON.readTree(line == null ? "" : line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("native result is not JSON (" + e.getOriginalMessage() + "): " + shorten(line));
        }
        if (m == null || !m.isObject()) throw new IllegalArgumentException("native result is not a JSON object: " + shorten(line));
        return new NativeResult(
                string(m, "mechanism"), string(m, "mode"), (int) whole(m, "size"), whole(m, "count"),
                number(m, "p50_us"), number(m, "p90_us"), number(m, "p99_us"), number(m, "p999_us"),
                number(m, "max_us"), number(m, "mean_us"),
                number(m, "msgs_per_s"), number(m, "mb_per_s"), number(m, "elapsed_s"),
                number(m, "cpu_runner_ns_per_msg"), number(m, "cpu_peer_ns_per_msg"),
                whole(m, "sent"), whole(m, "received"), whole(m, "lost"), whole(m, "reordered"), whole(m, "corrupt"),
                m.path("params").isTextual() ? m.get("params").asText() : "",
                counters(m.get("counters"), whole(m, "sent"), string(m, "mode").equals("latency") ? "round trip" : "message"), line,
                m.path("duplicates").asLong(0)); // a program built before duplicates were counted prints none
    }

    /** Where each C figure comes from, as the Java ones say it. */
    private static String source(String counter) {
        if (PerfStat.EVENTS.containsValue(counter)) {
            String event = PerfStat.EVENTS.entrySet().stream().filter(e -> e.getValue().equals(counter)).findFirst().get().getKey();
            return "perf_event_open " + event + " (the C program's own, per process)";
        }
        return ThreadSample.SOURCES.getOrDefault(counter, counter);
    }

    /** {"perf": null|"why", "runner": {...}, "peer": {...}}: a number is a total, a string why it is missing. */
    static Results.Counters counters(JsonNode c, long messages, String per) {
        if (c == null || !c.isObject()) return null;
        List<Results.CounterGroup> groups = new ArrayList<>();
        for (String role : List.of("runner", "peer")) {
            JsonNode p = c.path(role);
            if (!p.isObject()) continue;
            Map<String, Results.Figure> figures = new LinkedHashMap<>();
            for (String counter : COUNTERS) {
                JsonNode v = p.get(counter);
                if (v == null) continue;
                figures.put(counter, v.isNumber() ? Results.Figure.of(v.asLong(), messages, source(counter))
                        : Results.Figure.unavailable(source(counter), v.asText()));
            }
            int ranOn = p.path("ran_on").asInt(-1);
            groups.add(new Results.CounterGroup(role, "work", p.path("pid").asLong(), List.of(p.path("pid").asLong()),
                    p.path("cpus_allowed").asText(null), ranOn >= 0 ? List.of(ranOn) : List.of(), figures));
        }
        JsonNode perf = c.get("perf");
        return new Results.Counters(messages, per, groups, perf == null || perf.isNull() ? null : perf.asText());
    }

    private static final List<String> COUNTERS = counterNames();

    private static List<String> counterNames() {
        List<String> names = new ArrayList<>(PerfStat.EVENTS.values());
        names.addAll(ThreadSample.SOURCES.keySet());
        return List.copyOf(names);
    }

    private static JsonNode field(JsonNode m, String key) {
        if (!m.has(key)) throw new IllegalArgumentException("native result has no \"" + key + "\"");
        return m.get(key);
    }

    private static String string(JsonNode m, String key) {
        JsonNode v = field(m, key);
        if (v.isTextual()) return v.asText();
        throw new IllegalArgumentException("native result field \"" + key + "\" is not a string");
    }

    private static double number(JsonNode m, String key) {
        JsonNode v = field(m, key);
        if (v.isNull()) return Double.NaN;
        if (v.isNumber()) return v.asDouble();
        throw new IllegalArgumentException("native result field \"" + key + "\" is not a number");
    }

    private static long whole(JsonNode m, String key) {
        JsonNode v = field(m, key);
        if (v.isIntegralNumber() || (v.isNumber() && v.asDouble() == Math.rint(v.asDouble()))) return v.asLong();
        throw new IllegalArgumentException("native result field \"" + key + "\" is not a whole number");
    }

    private static String shorten(String s) {
        return s == null ? "" : s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }
}
