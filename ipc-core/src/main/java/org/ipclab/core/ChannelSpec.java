package org.ipclab.core;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which mechanism to use and its options, as strings, so that a spec crosses a process boundary
 * as plain command-line arguments ({@code --opt key=value}). Immutable.
 */
public final class ChannelSpec {
    private final String mechanism;
    private final Map<String, String> options;

    private ChannelSpec(String mechanism, Map<String, String> options) {
        this.mechanism = mechanism;
        this.options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    public static ChannelSpec of(String mechanism) {
        return new ChannelSpec(mechanism, Map.of());
    }

    public static ChannelSpec of(String mechanism, Map<String, String> options) {
        return new ChannelSpec(mechanism, options);
    }

    public String mechanism() {
        return mechanism;
    }

    public Map<String, String> options() {
        return options;
    }

    /** A copy with one option added or replaced. */
    public ChannelSpec with(String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(options);
        copy.put(key, value);
        return new ChannelSpec(mechanism, copy);
    }

    public Optional<String> option(String key) {
        return Optional.ofNullable(options.get(key));
    }

    public String option(String key, String fallback) {
        return options.getOrDefault(key, fallback);
    }

    public boolean flag(String key, boolean fallback) {
        String v = options.get(key);
        if (v == null) return fallback;
        switch (v.toLowerCase()) {
            case "true": case "yes": case "on": case "1": return true;
            case "false": case "no": case "off": case "0": return false;
            default: throw new BadInputException("option " + key + "=" + v + " is not a boolean (use true or false)");
        }
    }

    public long size(String key, long fallback) {
        String v = options.get(key);
        return v == null ? fallback : Units.parseSize(key, v);
    }

    public Duration duration(String key, Duration fallback) {
        String v = options.get(key);
        return v == null ? fallback : Units.parseDuration(key, v);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(mechanism);
        options.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        return sb.toString();
    }
}
