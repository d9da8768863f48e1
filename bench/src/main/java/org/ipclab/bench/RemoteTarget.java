package org.ipclab.bench;

import java.io.IOException;
import java.util.Map;
import java.util.OptionalLong;

import org.ipclab.core.Channel;
import org.ipclab.core.IpcException;
import org.ipclab.core.MechanismInfo;

/** A server started elsewhere with {@code ipc serve} (another terminal or another host). */
public final class RemoteTarget implements Target {
    private final MechanismInfo info;
    private final Channel channel;
    private final Map<String, String> parameters;

    public RemoteTarget(MechanismInfo info, Channel channel, Map<String, String> parameters) {
        this.info = info;
        this.channel = channel;
        this.parameters = Map.copyOf(parameters);
    }

    @Override
    public MechanismInfo info() {
        return info;
    }

    @Override
    public Channel channel() {
        return channel;
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
