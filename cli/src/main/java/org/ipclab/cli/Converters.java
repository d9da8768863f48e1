package org.ipclab.cli;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

import org.ipclab.bench.Mode;
import org.ipclab.core.BadInputException;
import org.ipclab.core.Units;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Command-line types, converted when picocli parses, so a bad value is a one-line usage error
 * (exit 2) naming the value before anything runs; the messages are {@link Units}'.
 */
final class Converters {
    private Converters() {
    }

    private static TypeConversionException refused(BadInputException e) {
        return new TypeConversionException(e.getMessage());
    }

    /** "500ms", "10s"; a bare number is refused: its unit would be a guess. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Units.parseDuration("duration", value);
            } catch (BadInputException e) {
                throw refused(e);
            }
        }
    }

    /** "64", "4k", "1MiB" → bytes, up to 2 GiB - 1. */
    static final class SizeConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                long v = Units.parseSize("size", value);
                if (v > Integer.MAX_VALUE) throw new BadInputException("size " + value + " is over 2 GiB - 1");
                return (int) v;
            } catch (BadInputException e) {
                throw refused(e);
            }
        }
    }

    /** latency, throughput or both. */
    static final class ModesConverter implements ITypeConverter<List<Mode>> {
        @Override
        public List<Mode> convert(String value) {
            switch (value.toLowerCase(Locale.ROOT)) {
                case "latency": return List.of(Mode.LATENCY);
                case "throughput": return List.of(Mode.THROUGHPUT);
                case "both": return List.of(Mode.LATENCY, Mode.THROUGHPUT);
                default: throw new TypeConversionException("'" + value + "' is not one of latency, throughput, both");
            }
        }
    }

    /** "1000", "1000/s", "10k/s" → messages per second, 1 .. 10 million. */
    static final class RateConverter implements ITypeConverter<Double> {
        @Override
        public Double convert(String text) {
            String t = text.trim().toLowerCase(Locale.ROOT);
            if (t.endsWith("/s")) t = t.substring(0, t.length() - 2);
            double factor = 1;
            if (t.endsWith("k")) { factor = 1e3; t = t.substring(0, t.length() - 1); }
            else if (t.endsWith("m")) { factor = 1e6; t = t.substring(0, t.length() - 1); }
            double v;
            try {
                v = Double.parseDouble(t) * factor;
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + text + "' is not a rate (examples: 1000/s, 20k/s)");
            }
            if (!(v >= 1 && v <= 10e6)) throw new TypeConversionException("'" + text + "' is out of range (1/s .. 10m/s)");
            return v;
        }
    }

    /** HOST:PORT, where HOST may be a bracketed IPv6 address: [::1]:5000. */
    record HostPort(String host, int port) {
    }

    static final class HostPortConverter implements ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            int colon = value.lastIndexOf(':');
            if (colon <= 0 || colon == value.length() - 1) throw new TypeConversionException("'" + value + "' is not HOST:PORT");
            String host = value.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
            int port;
            try {
                port = Integer.parseInt(value.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "': the port is not a number");
            }
            if (port < 1 || port > 65535) throw new TypeConversionException("'" + value + "': port " + port + " is outside 1..65535");
            return new HostPort(host, port);
        }
    }
}
