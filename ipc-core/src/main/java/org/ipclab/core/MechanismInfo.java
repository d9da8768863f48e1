package org.ipclab.core;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What a mechanism is, for one {@link ChannelSpec}: the one description that the runner, the CLI,
 * JMH, the native baseline, the report and {@code ipc list} read. Nothing outside a mechanism's
 * module knows a mechanism or option name; it asks this instead.
 *
 * <pre>{@code
 * MechanismInfo info = Providers.get("shm").describe(spec);
 * if (info.has(Capability.BUSY_WAITS)) ...        // wait=spin: needs a CPU per process
 * int max = info.maxMessageSize();                  // for this spec's capacity
 * info.nativeProgram().ifPresent(c -> ...);         // "shm-spin": the C program measured beside it
 * }</pre>
 *
 * @param maxMessageSize the largest message for this spec (shm: its capacity minus a record header)
 * @param peerJvmFlags   flags the peer JVM needs for this JVM version (e.g. Chronicle's --add-exports)
 * @param nativeProgram  the {@code ipclab-native} program that measures the same thing in C, if any
 */
public record MechanismInfo(String name, String description, Set<Capability> capabilities, int maxMessageSize,
                            List<MechanismOption> options, List<String> peerJvmFlags,
                            Optional<String> nativeProgram, Supplier<Optional<String>> availability) {

    public MechanismInfo {
        capabilities = capabilities.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(capabilities));
        options = List.copyOf(options);
        peerJvmFlags = List.copyOf(peerJvmFlags);
        if (maxMessageSize < 0) throw new IllegalArgumentException(name + ": maximum message " + maxMessageSize + " < 0");
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public boolean has(Capability capability) {
        return capabilities.contains(capability);
    }

    /**
     * Why the mechanism cannot run here, or empty. Asked only when needed (the answer may load a
     * native library: a listing or a plan asks, building the command line does not), then kept.
     */
    public Optional<String> unavailableBecause() {
        return availability.get();
    }

    public boolean available() {
        return unavailableBecause().isEmpty();
    }

    public Optional<MechanismOption> option(String optionName) {
        return options.stream().filter(o -> o.name().equals(optionName)).findFirst();
    }

    /** The first option of this type (e.g. the {@link MechanismOption.Type#PORT} a client connects to), if any. */
    public Optional<MechanismOption> optionOfType(MechanismOption.Type type) {
        return options.stream().filter(o -> o.type() == type).findFirst();
    }

    /** Capabilities in declaration order, for listings. */
    public List<Capability> capabilitiesInOrder() {
        List<Capability> list = new ArrayList<>(capabilities);
        list.sort(null);
        return list;
    }

    public static final class Builder {
        private final String name;
        private String description = "";
        private final EnumSet<Capability> capabilities = EnumSet.noneOf(Capability.class);
        private int maxMessageSize = -1;
        private final List<MechanismOption> options = new ArrayList<>();
        private final List<String> peerJvmFlags = new ArrayList<>();
        private String nativeProgram;
        private Supplier<Optional<String>> availability = Optional::empty;

        private Builder(String name) {
            this.name = name;
        }

        public Builder description(String text) {
            this.description = text;
            return this;
        }

        public Builder capabilities(Capability... caps) {
            capabilities.addAll(List.of(caps));
            return this;
        }

        /** Adds the capability when {@code condition} holds (e.g. BUSY_WAITS for wait=spin). */
        public Builder capabilityIf(boolean condition, Capability cap) {
            if (condition) capabilities.add(cap);
            return this;
        }

        public Builder maxMessageSize(int bytes) {
            this.maxMessageSize = bytes;
            return this;
        }

        public Builder options(MechanismOption... opts) {
            options.addAll(List.of(opts));
            return this;
        }

        public Builder peerJvmFlags(List<String> flags) {
            peerJvmFlags.addAll(flags);
            return this;
        }

        /** The C program of the native baseline that measures the same exchange; null for none. */
        public Builder nativeProgram(String program) {
            this.nativeProgram = program;
            return this;
        }

        /** Why it cannot run here (a native library that does not load, ...), computed on first use. */
        public Builder unavailableBecause(Supplier<Optional<String>> why) {
            this.availability = once(why);
            return this;
        }

        public MechanismInfo build() {
            if (maxMessageSize < 0) throw new IllegalStateException(name + ": describe() must set maxMessageSize");
            return new MechanismInfo(name, description, capabilities, maxMessageSize, options, peerJvmFlags,
                    Optional.ofNullable(nativeProgram), availability);
        }

        private static Supplier<Optional<String>> once(Supplier<Optional<String>> probe) {
            return new Supplier<>() {
                private volatile Optional<String> answer;

                @Override
                public Optional<String> get() {
                    Optional<String> a = answer;
                    if (a == null) answer = a = probe.get();
                    return a;
                }
            };
        }
    }
}
