package org.ipclab.bench;

import java.io.IOException;
import java.util.Map;
import java.util.OptionalLong;

import org.ipclab.core.Capability;
import org.ipclab.core.Channel;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.peer.PeerProtocol;

/** What the runner drives: a channel to a peer that speaks the peer protocol (echo, SINK/STATS). */
public interface Target {
    /** What the mechanism is, for the spec being measured: its capabilities decide the protocol and the verdicts. */
    MechanismInfo info();

    default String mechanism() {
        return info().name();
    }

    /** False for mechanisms that may lose messages (UDP): the runner counts loss instead of failing. */
    default boolean reliable() {
        return info().has(Capability.RELIABLE);
    }

    /** What the peer understands: the control protocol, or notifications only. */
    default PeerProtocol protocol() {
        return PeerProtocol.of(info());
    }

    Channel channel();

    /** Effective parameters of the channel, echoed in every result. */
    Map<String, String> parameters();

    /** CPU time the peer process has used so far, when it can be read. */
    OptionalLong peerCpuNanos();

    /** An error that says what happened to the peer ("killed by signal 9"), for the result. */
    IOException explain(String what, IOException cause);
}
