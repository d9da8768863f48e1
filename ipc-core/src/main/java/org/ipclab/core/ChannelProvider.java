package org.ipclab.core;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One IPC mechanism, found by {@link java.util.ServiceLoader}. A new mechanism is one module with
 * one implementation of this interface and one line in
 * {@code META-INF/services/org.ipclab.core.ChannelProvider}.
 */
public interface ChannelProvider {

    /** Short name used on the command line: {@code tcp}, {@code unix}, {@code pipe}, ... */
    String name();

    /** One line for {@code ipc list}. */
    String description();

    Set<Capability> capabilities();

    /** The largest message in bytes. */
    int maxMessageSize();

    /** Options this mechanism understands ({@code --opt name=value}); anything else is refused. */
    default List<MechanismOption> options() {
        return List.of();
    }

    /** Why this mechanism cannot run here ("no C compiler", "native library failed: ..."), or empty when it can. */
    default Optional<String> unavailableBecause() {
        return Optional.empty();
    }

    /** Extra JVM flags the peer process needs (e.g. {@code --add-exports} for Chronicle Queue). */
    default List<String> peerJvmFlags() {
        return List.of();
    }

    /** Creates the kernel objects and returns the end that owns them. */
    ServerEnd open(ChannelSpec spec) throws IOException;

    /** Connects to a server end described by {@link ServerEnd#peerSpec()}; runs in the peer process. */
    Channel connect(ChannelSpec spec, Duration timeout) throws IOException;

    default boolean has(Capability capability) {
        return capabilities().contains(capability);
    }
}
