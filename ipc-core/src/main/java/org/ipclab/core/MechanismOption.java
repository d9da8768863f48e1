package org.ipclab.core;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An option a mechanism understands ({@code --opt name=value}), typed, so that a wrong value is
 * refused with the same one-line message wherever it is typed (CLI, peer, JMH) and so that help,
 * completion and {@code ipc list --verbose} are generated from it.
 *
 * <pre>{@code
 * MechanismOption.choice("wait", "spin", "how a side waits", "spin", "yield", "park")
 * MechanismOption.size("capacity", "4m", "bytes per ring")
 * MechanismOption.internal("segment", "the segment file; set by the server end")
 * }</pre>
 *
 * @param defaultValue the value used when the option is absent, as a user would type it; empty when there is none
 * @param allowed      for {@link Type#CHOICE} the allowed values, else empty
 * @param shortcuts    command-line flags that set it directly ({@code --port 5000} for {@code --opt port=5000}); the CLI
 *                     offers every shortcut some mechanism declares
 */
public record MechanismOption(String name, Type type, Optional<String> defaultValue, List<String> allowed, String help,
                              List<String> shortcuts) {

    public enum Type {
        /** Free text (a host name, a path). */
        TEXT,
        /** true/false (also yes/no, on/off, 1/0). */
        FLAG,
        /** Bytes: 64, 4k, 1MiB. */
        SIZE,
        /** A duration with a unit: 500ms, 10s. */
        DURATION,
        /** A whole number. */
        INTEGER,
        /** A host name or address to bind or connect to. */
        HOST,
        /** A TCP/UDP port, 0..65535 (0: the kernel picks one). */
        PORT,
        /** One of {@link #allowed()}. */
        CHOICE,
        /** Filled in by the server end for the peer ({@link ServerEnd#peerSpec()}); users do not set it. */
        INTERNAL
    }

    public MechanismOption {
        allowed = List.copyOf(allowed);
        shortcuts = List.copyOf(shortcuts);
        for (String flag : shortcuts) {
            if (!flag.startsWith("--")) throw new IllegalArgumentException("option " + name + ": shortcut " + flag + " must start with --");
        }
        if (name == null || name.isBlank()) throw new IllegalArgumentException("an option needs a name");
        if ((type == Type.CHOICE) == allowed.isEmpty()) {
            throw new IllegalArgumentException("option " + name + ": allowed values go with CHOICE and only with it");
        }
        for (String d : defaultValue.stream().toList()) check(name, type, allowed, d);
    }

    public static MechanismOption text(String name, String defaultValue, String help) {
        return new MechanismOption(name, Type.TEXT, Optional.ofNullable(defaultValue), List.of(), help, List.of());
    }

    public static MechanismOption flag(String name, boolean defaultValue, String help) {
        return new MechanismOption(name, Type.FLAG, Optional.of(Boolean.toString(defaultValue)), List.of(), help, List.of());
    }

    public static MechanismOption size(String name, String defaultValue, String help) {
        return new MechanismOption(name, Type.SIZE, Optional.ofNullable(defaultValue), List.of(), help, List.of());
    }

    public static MechanismOption duration(String name, String defaultValue, String help) {
        return new MechanismOption(name, Type.DURATION, Optional.ofNullable(defaultValue), List.of(), help, List.of());
    }

    public static MechanismOption integer(String name, String defaultValue, String help) {
        return new MechanismOption(name, Type.INTEGER, Optional.ofNullable(defaultValue), List.of(), help, List.of());
    }

    public static MechanismOption host(String name, String defaultValue, String help) {
        return new MechanismOption(name, Type.HOST, Optional.ofNullable(defaultValue), List.of(), help, List.of());
    }

    public static MechanismOption port(String name, String defaultValue, String help) {
        return new MechanismOption(name, Type.PORT, Optional.ofNullable(defaultValue), List.of(), help, List.of());
    }

    public static MechanismOption choice(String name, String defaultValue, String help, String... allowed) {
        return new MechanismOption(name, Type.CHOICE, Optional.ofNullable(defaultValue), List.of(allowed), help, List.of());
    }

    public static MechanismOption internal(String name, String help) {
        return new MechanismOption(name, Type.INTERNAL, Optional.empty(), List.of(), help, List.of());
    }

    /** The same option, also settable as {@code --NAME} (or the given flags) on the command line. */
    public MechanismOption withShortcut(String... flags) {
        return new MechanismOption(name, type, defaultValue, allowed, help, flags.length == 0 ? List.of("--" + name) : List.of(flags));
    }

    /** Whether a user sets it (everything but {@link Type#INTERNAL}). */
    public boolean userFacing() {
        return type != Type.INTERNAL;
    }

    /**
     * Refuses a value this option cannot take, with a one-line message naming the option, the value
     * and what is allowed ({@link BadInputException}: the user typed it).
     */
    public void check(String value) {
        check(name, type, allowed, value);
    }

    // Static: the compact constructor checks the default before the fields are assigned.
    private static void check(String name, Type type, List<String> allowed, String value) {
        String what = "option " + name;
        switch (type) {
            case FLAG:
                switch (value.toLowerCase(Locale.ROOT)) {
                    case "true": case "yes": case "on": case "1": case "false": case "no": case "off": case "0": return;
                    default: throw new BadInputException(what + "=" + value + " is not a boolean (use true or false)");
                }
            case SIZE:
                Units.parseSize(what, value);
                return;
            case DURATION:
                Units.parseDuration(what, value);
                return;
            case INTEGER:
                try {
                    Long.parseLong(value.trim());
                    return;
                } catch (NumberFormatException e) {
                    throw new BadInputException(what + "=" + value + " is not a whole number");
                }
            case PORT:
                try {
                    int port = Integer.parseInt(value.trim());
                    if (port >= 0 && port <= 65535) return;
                } catch (NumberFormatException e) {
                    // refused below
                }
                throw new BadInputException(what + "=" + value + " is not a port (0..65535)");
            case CHOICE:
                if (allowed.contains(value)) return;
                throw new BadInputException(what + "=" + value + " is not one of " + String.join(", ", allowed));
            default:
        }
    }

    /** For help and {@code ipc list --verbose}: "spin|yield|park", "SIZE", "DURATION", ... */
    public String valueLabel() {
        return type == Type.CHOICE ? String.join("|", allowed) : type.name();
    }
}
