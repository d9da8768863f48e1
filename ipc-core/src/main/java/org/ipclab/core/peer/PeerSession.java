package org.ipclab.core.peer;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.Channel;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ExitCleanup;
import org.ipclab.core.FileSweeper;
import org.ipclab.core.IpcException;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.ServerEnd;

/** A running peer process and our end of the channel to it. {@link #close()} stops it cleanly. */
public final class PeerSession implements AutoCloseable {
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final ChannelProvider provider;
    private final MechanismInfo info;
    private final ServerEnd server;
    private final Process process;
    private final Channel channel;
    private final StderrTail stderr;
    /** At exit another thread may be using the channel: stop the peer without touching it. */
    private final AutoCloseable terminate = this::terminate;
    private boolean closed;

    PeerSession(ChannelProvider provider, MechanismInfo info, ServerEnd server, Process process, Channel channel, StderrTail stderr) {
        this.provider = provider;
        this.info = info;
        this.server = server;
        this.process = process;
        this.channel = channel;
        this.stderr = stderr;
        ExitCleanup.register(terminate);
    }

    public Channel channel() {
        return channel;
    }

    public ChannelProvider provider() {
        return provider;
    }

    /** What the mechanism is, for the spec this session was opened with. */
    public MechanismInfo info() {
        return info;
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    public Map<String, String> effectiveParameters() {
        return server.effectiveParameters();
    }

    StderrTail stderr() {
        return stderr;
    }

    /**
     * Turns a channel error into one that says what happened to the peer: "peer (pid 123) was
     * killed by signal 9 (SIGKILL)" is more useful than "Connection reset by peer".
     */
    public IpcException explain(String what, IOException cause) {
        return PeerLauncher.failure(what, cause, process, stderr);
    }

    /** Kills the peer at once (SIGKILL), as a crash would. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** STOP over the channel, wait, then SIGTERM, then SIGKILL; closes the channel and removes the kernel objects, the peer's too. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            if (process.isAlive()) {
                try {
                    PeerProtocol.of(info).stop(channel, Duration.ofSeconds(1));
                } catch (IOException | RuntimeException ignored) {
                    // The peer may already be gone or the channel broken; the signals below still stop it.
                }
                if (!waitFor(STOP_GRACE)) {
                    process.destroy();
                    if (!waitFor(Duration.ofSeconds(2))) {
                        process.destroyForcibly();
                        waitFor(Duration.ofSeconds(2));
                    }
                }
            }
        } finally {
            PeerLauncher.closeQuietly(channel);
            PeerLauncher.closeQuietly(server);
            // a killed peer could not remove its own objects (a unix-dgram client's socket directory)
            if (!process.isAlive()) FileSweeper.removeOwnLeftoversOf(process.pid());
            ExitCleanup.forget(server);
            ExitCleanup.forget(terminate);
        }
    }

    /** SIGKILL the peer and remove the kernel objects, without using the channel. */
    private void terminate() {
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(2));
        PeerLauncher.closeQuietly(server);
    }

    private boolean waitFor(Duration d) {
        try {
            return process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
