package org.ipclab.core;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes and durations as people write them. A duration always needs a unit: "30" is refused,
 * because the classic bug is passing 30 where 30 seconds was meant and getting 30 ns.
 */
public final class Units {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmg]?)(i?b)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ns|us|µs|ms|s|m|min|h)", Pattern.CASE_INSENSITIVE);

    private Units() {
    }

    /** "64", "4k", "4KiB", "1m", "1MiB" → bytes (k = 1024). */
    public static long parseSize(String what, String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new BadInputException(what + " '" + text + "' is not a size (examples: 64, 4k, 64KiB, 1m)");
        }
        long shift;
        switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k": shift = 10; break;
            case "m": shift = 20; break;
            case "g": shift = 30; break;
            default: shift = 0;
        }
        try {
            long n = Long.parseLong(m.group(1));
            if (n > (Long.MAX_VALUE >> shift)) throw new NumberFormatException();
            return n << shift;
        } catch (NumberFormatException e) {
            throw new BadInputException(what + " '" + text + "' is too large");
        }
    }

    /** "500ms", "10s", "2m", "1.5s", "250us", or ISO-8601 "PT10S". A bare number is refused. */
    public static Duration parseDuration(String what, String text) {
        String t = text.trim();
        if (t.regionMatches(true, 0, "PT", 0, 2)) {
            try {
                return nonNegative(what, text, Duration.parse(t));
            } catch (DateTimeParseException e) {
                throw new BadInputException(what + " '" + text + "' is not a duration (examples: 500ms, 10s, 2m)");
            }
        }
        Matcher m = DURATION.matcher(t);
        if (!m.matches()) {
            String hint = t.matches("\\d+(\\.\\d+)?") ? " needs a unit" : " is not a duration";
            throw new BadInputException(what + " '" + text + "'" + hint + " (examples: 500ms, 10s, 2m)");
        }
        double n = Double.parseDouble(m.group(1));
        double nanosPerUnit;
        switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "ns": nanosPerUnit = 1; break;
            case "us": case "µs": nanosPerUnit = 1e3; break;
            case "ms": nanosPerUnit = 1e6; break;
            case "s": nanosPerUnit = 1e9; break;
            case "m": case "min": nanosPerUnit = 60e9; break;
            default: nanosPerUnit = 3600e9;
        }
        double nanos = n * nanosPerUnit;
        if (nanos > Long.MAX_VALUE) throw new BadInputException(what + " '" + text + "' is too long");
        return Duration.ofNanos((long) nanos);
    }

    private static Duration nonNegative(String what, String text, Duration d) {
        if (d.isNegative()) throw new BadInputException(what + " '" + text + "' is negative");
        return d;
    }

    /**
     * A timeout in nanoseconds for deadline arithmetic ({@code System.nanoTime() + nanos}): never
     * negative, and a "practically forever" duration (days, years) is clamped far below the point
     * where the sum would overflow, instead of throwing from {@link Duration#toNanos()}.
     */
    public static long nanos(Duration timeout) {
        try {
            return Math.min(Math.max(0, timeout.toNanos()), FOREVER_NANOS);
        } catch (ArithmeticException tooLong) {
            return FOREVER_NANOS;
        }
    }

    /** About 73 years: the clamp of {@link #nanos}, still safe to add to any {@code System.nanoTime()}. */
    public static final long FOREVER_NANOS = Long.MAX_VALUE / 4;

    /** 2s, 300ms, 1.5ms, 250µs. */
    public static String format(Duration d) {
        long ns = d.toNanos();
        if (ns % 1_000_000_000L == 0) return ns / 1_000_000_000L + "s";
        if (ns >= 1_000_000_000L) return trim(ns / 1e9) + "s";
        if (ns >= 1_000_000L) return trim(ns / 1e6) + "ms";
        if (ns >= 1_000L) return trim(ns / 1e3) + "µs";
        return ns + "ns";
    }

    /** 64 B, 4 KiB, 1 MiB, 1.5 KiB. */
    public static String formatSize(long bytes) {
        if (bytes >= (1L << 30)) return trim(bytes / (double) (1L << 30)) + " GiB";
        if (bytes >= (1L << 20)) return trim(bytes / (double) (1L << 20)) + " MiB";
        if (bytes >= (1L << 10)) return trim(bytes / (double) (1L << 10)) + " KiB";
        return bytes + " B";
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.2f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
