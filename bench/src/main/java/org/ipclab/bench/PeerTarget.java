package org.ipclab.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

import org.ipclab.core.MechanismInfo;
import org.ipclab.core.Channel;
import org.ipclab.core.peer.PeerSession;

/**
 * A peer JVM started by the launcher: the usual target. Its parameters are the session's, the
 * peer's pid and any extra ones a caller adds to tell several peers apart ("pair" 3, "load").
 */
public final class PeerTarget implements Target {
    private final PeerSession session;
    private final Map<String, String> parameters;

    PeerTarget(PeerSession session) {
        this(session, Map.of());
    }

    public PeerTarget(PeerSession session, Map<String, String> extra) {
        this.session = session;
        Map<String, String> p = new LinkedHashMap<>(session.effectiveParameters());
        p.put("peer pid", Long.toString(session.pid()));
        p.putAll(extra);
        this.parameters = Map.copyOf(p);
    }

    @Override
    public MechanismInfo info() {
        return session.info();
    }

    @Override
    public Channel channel() {
        return session.channel();
    }

    @Override
    public Map<String, String> parameters() {
        return parameters;
    }

    @Override
    public OptionalLong peerCpuNanos() {
        return session.process().toHandle().info().totalCpuDuration().map(Duration::toNanos)
                .map(OptionalLong::of).orElse(OptionalLong.empty());
    }

    @Override
    public IOException explain(String what, IOException cause) {
        return session.explain(what, cause);
    }
}
