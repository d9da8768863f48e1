package org.ipclab.bench.baseline;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One run of the native C baseline ({@code ipclab-native}), parsed from the JSON line it prints.
 *
 * <p>Times are microseconds of round-trip time (RTT); in throughput mode the percentile fields are
 * {@link Double#NaN} (not measured). {@code msgsPerSecond} is round trips per second in latency
 * mode and messages per second in throughput mode; {@code mbPerSecond} counts 10^6 payload bytes
 * (frame headers excluded). CPU times are per message (per round trip in latency mode), for the
 * runner and its forked peer, over the measured phase only; NaN when the kernel would not tell.
 *
 * @param params what the kernel applied, as the C program saw it ("pipe_capacity=65536", ...)
 * @param json   the line as printed, for the raw record
 */
public record NativeResult(
        String mechanism, String mode, int size, long count,
        double p50Us, double p90Us, double p99Us, double p999Us, double maxUs, double meanUs,
        double msgsPerSecond, double mbPerSecond, double elapsedSeconds,
        double cpuRunnerNsPerMessage, double cpuPeerNsPerMessage,
        long sent, long received, long lost, long reordered, long corrupt,
        String params, String json) {

    /** True when nothing was lost, reordered or corrupted; udp may lose (and only udp). */
    public boolean integrityOk() {
        return corrupt == 0 && reordered == 0 && (lost == 0 || mechanism.equals("udp"));
    }

    /**
     * Parses the one JSON line of {@code ipclab-native}: a flat object of strings, numbers and nulls.
     *
     * @throws IllegalArgumentException naming the problem when the line is not such an object or a
     *                                  field is missing
     */
    public static NativeResult parse(String line) {
        Map<String, Object> m = new FlatJson(line).object();
        return new NativeResult(
                string(m, "mechanism"), string(m, "mode"), (int) whole(m, "size"), whole(m, "count"),
                number(m, "p50_us"), number(m, "p90_us"), number(m, "p99_us"), number(m, "p999_us"),
                number(m, "max_us"), number(m, "mean_us"),
                number(m, "msgs_per_s"), number(m, "mb_per_s"), number(m, "elapsed_s"),
                number(m, "cpu_runner_ns_per_msg"), number(m, "cpu_peer_ns_per_msg"),
                whole(m, "sent"), whole(m, "received"), whole(m, "lost"), whole(m, "reordered"), whole(m, "corrupt"),
                m.get("params") instanceof String s ? s : "", line);
    }

    private static Object field(Map<String, Object> m, String key) {
        if (!m.containsKey(key)) throw new IllegalArgumentException("native result has no \"" + key + "\"");
        return m.get(key);
    }

    private static String string(Map<String, Object> m, String key) {
        if (field(m, key) instanceof String s) return s;
        throw new IllegalArgumentException("native result field \"" + key + "\" is not a string");
    }

    private static double number(Map<String, Object> m, String key) {
        Object v = field(m, key);
        if (v == null) return Double.NaN;
        if (v instanceof Double d) return d;
        throw new IllegalArgumentException("native result field \"" + key + "\" is not a number");
    }

    private static long whole(Map<String, Object> m, String key) {
        double d = number(m, key);
        if (Double.isNaN(d) || d != Math.rint(d)) throw new IllegalArgumentException("native result field \"" + key + "\" is not a whole number");
        return (long) d;
    }

    /** Just enough JSON for one flat object; anything else is refused with the offset. */
    private static final class FlatJson {
        private final String s;
        private int i;

        FlatJson(String s) {
            this.s = s == null ? "" : s.strip();
        }

        Map<String, Object> object() {
            Map<String, Object> m = new LinkedHashMap<>();
            expect('{');
            skipSpace();
            if (peek() == '}') {
                i++;
                return end(m);
            }
            while (true) {
                skipSpace();
                String key = string();
                skipSpace();
                expect(':');
                skipSpace();
                m.put(key, value());
                skipSpace();
                char c = next();
                if (c == '}') return end(m);
                if (c != ',') throw error("expected , or }");
            }
        }

        private Map<String, Object> end(Map<String, Object> m) {
            skipSpace();
            if (i != s.length()) throw error("text after the object");
            return m;
        }

        private Object value() {
            char c = peek();
            if (c == '"') return string();
            if (s.startsWith("null", i)) {
                i += 4;
                return null;
            }
            int start = i;
            while (i < s.length() && "+-.eE0123456789".indexOf(s.charAt(i)) >= 0) i++;
            try {
                return Double.parseDouble(s.substring(start, i));
            } catch (NumberFormatException e) {
                i = start;
                throw error("expected a string, number or null");
            }
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') return b.toString();
                if (c == '\\') {
                    char e = next();
                    switch (e) {
                        case 'n' -> b.append('\n');
                        case 't' -> b.append('\t');
                        case 'u' -> {
                            if (i + 4 > s.length()) throw error("short \\u escape");
                            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                            i += 4;
                        }
                        default -> b.append(e);
                    }
                } else {
                    b.append(c);
                }
            }
        }

        private void expect(char c) {
            if (next() != c) {
                i--;
                throw error("expected " + c);
            }
        }

        private char peek() {
            if (i >= s.length()) throw error("unexpected end");
            return s.charAt(i);
        }

        private char next() {
            char c = peek();
            i++;
            return c;
        }

        private void skipSpace() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        }

        private IllegalArgumentException error(String what) {
            String shown = s.length() > 120 ? s.substring(0, 120) + "..." : s;
            return new IllegalArgumentException("native result is not the expected JSON (" + what + " at offset " + i + "): " + shown);
        }
    }
}
