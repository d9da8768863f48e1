package org.ipclab.bench;

import java.io.IOException;
import java.util.Map;
import java.util.OptionalLong;

import org.ipclab.core.Channel;
import org.ipclab.core.IpcException;

/** A server started elsewhere with {@code ipc serve} (another terminal or another host). */
public final class RemoteTarget implements Target {
    private final String mechanism;
    private final Channel channel;
    private final boolean reliable;
    private final Map<String, String> parameters;

    public RemoteTarget(String mechanism, Channel channel, boolean reliable, Map<String, String> parameters) {
        this.mechanism = mechanism;
        this.channel = channel;
        this.reliable = reliable;
        this.parameters = Map.copyOf(parameters);
    }

    @Override
    public String mechanism() {
        return mechanism;
    }

    @Override
    public Channel channel() {
        return channel;
    }

    @Override
    public boolean reliable() {
        return reliable;
    }

    @Override
    public Map<String, String> parameters() {
        return parameters;
    }

    @Override
    public OptionalLong peerCpuNanos() {
        return OptionalLong.empty();
    }

    @Override
    public IOException explain(String what, IOException cause) {
        return new IpcException(what + ": " + cause.getMessage(), cause);
    }
}
