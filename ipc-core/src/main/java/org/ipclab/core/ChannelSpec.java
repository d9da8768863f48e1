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
    /**
     * Options whose key starts with this are written by ipclab itself (the server end for its peer,
     * the launcher), never typed by a user; they are not declared as mechanism options.
     */
    public static final String INTERNAL_PREFIX = "ipclab.";
    /** The server's pid, for a peer that must notice the server's death (no kernel object tells it). */
    public static final String SERVER_PID = INTERNAL_PREFIX + "server-pid";
    /**
     * Set by a fan-in run on the spec it opens ({@link Capability#FAN_IN} without
     * {@link Capability#CONCURRENT_SESSIONS}): the value is the number of writers. The server end
     * keeps its one channel open to all of them (a datagram socket stays unconnected, a FIFO takes
     * no one-client lock) and carries the option in its peer spec, so that each writer connects as
     * one of many. Mechanisms whose one channel is shared anyway (a message queue) ignore it.
     */
    public static final String FAN_IN_WRITERS = INTERNAL_PREFIX + "fan-in-writers";

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

    /** A copy carrying this process's pid as the server pid ({@link #SERVER_PID}). */
    public ChannelSpec withServerPid() {
        return with(SERVER_PID, Long.toString(ProcessHandle.current().pid()));
    }

    /** The server pid a server end put in its peer spec, if any. */
    public java.util.OptionalLong serverPid() {
        String v = options.get(SERVER_PID);
        if (v == null) return java.util.OptionalLong.empty();
        try {
            return java.util.OptionalLong.of(Long.parseLong(v));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(SERVER_PID + "=" + v + " is not a pid");
        }
    }

    /** The options a user typed or may type: without the internal ones. */
    public Map<String, String> userOptions() {
        Map<String, String> copy = new LinkedHashMap<>();
        options.forEach((k, v) -> {
            if (!k.startsWith(INTERNAL_PREFIX)) copy.put(k, v);
        });
        return copy;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(mechanism);
        options.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        return sb.toString();
    }
}
