package org.ipclab.bench;

import java.io.IOException;
import java.util.Map;
import java.util.OptionalLong;

import org.ipclab.core.Channel;

/** What the runner drives: a channel to a peer that speaks the peer protocol (echo, SINK/STATS). */
public interface Target {
    String mechanism();

    Channel channel();

    /** False for mechanisms that may lose messages (UDP): the runner counts loss instead of failing. */
    boolean reliable();

    /** Effective parameters of the channel, echoed in every result. */
    Map<String, String> parameters();

    /** CPU time the peer process has used so far, when it can be read. */
    OptionalLong peerCpuNanos();

    /** An error that says what happened to the peer ("killed by signal 9"), for the result. */
    IOException explain(String what, IOException cause);
}
