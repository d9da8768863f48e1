package org.ipclab.core;

import java.io.IOException;
import java.time.Duration;

/**
 * One IPC mechanism, found by {@link java.util.ServiceLoader}. A new mechanism is one module with
 * one implementation of this interface, one line in
 * {@code META-INF/services/org.ipclab.core.ChannelProvider} and a contract test; everything else
 * (CLI, runner, JMH, native baseline, report) learns about it from {@link #describe}.
 */
public interface ChannelProvider {

    /** Short name used on the command line: {@code tcp}, {@code unix}, {@code pipe}, ... */
    String name();

    /**
     * What this mechanism is for this spec: capabilities, the largest message, the options it
     * understands, the peer's JVM flags, its C counterpart. Cheap and side-effect free: it is
     * called for listings and plans, before anything is opened. The spec's options may be absent
     * (defaults apply) but are never invalid here: {@link Providers#forSpec} checks them first.
     */
    MechanismInfo describe(ChannelSpec spec);

    /** The description with every option at its default. */
    default MechanismInfo describe() {
        return describe(ChannelSpec.of(name()));
    }

    /** Creates the kernel objects and returns the end that owns them. */
    ServerEnd open(ChannelSpec spec) throws IOException;

    /** Connects to a server end described by {@link ServerEnd#peerSpec()}; runs in the peer process. */
    Channel connect(ChannelSpec spec, Duration timeout) throws IOException;
}
