package org.ipclab.core;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The end that creates the kernel objects (listening socket, FIFOs, shm file, queues) and owns
 * them: {@link #close()} removes every one, also when no peer ever came.
 *
 * <p>Lifecycle: {@link ChannelProvider#open} → {@link #peerSpec()} handed to the peer →
 * {@link #startPeer} (when the launcher starts the peer) → {@link #accept}.
 */
public interface ServerEnd extends AutoCloseable {

    /** What the peer needs to {@link ChannelProvider#connect}: the spec with the actual path, port or name filled in. */
    ChannelSpec peerSpec();

    /**
     * Starts the peer process that will {@link ChannelProvider#connect}. The launcher has set up
     * the command, stderr (a pipe, for the peer's diagnostics) and stdin/stdout (nothing); a
     * mechanism that needs more overrides this: the pipe makes the child's stdin/stdout the pipes
     * under test, real-time signals spawn the child with the signal blocked (JDK 20+ ProcessBuilder
     * clears the child's signal mask). A returned process must offer {@code getErrorStream()},
     * {@code waitFor}, {@code exitValue}, {@code destroy} and {@code destroyForcibly}.
     */
    default Process startPeer(ProcessBuilder peer) throws IOException {
        return peer.start();
    }

    /**
     * Waits for the peer to connect and returns our end of the channel.
     *
     * @param peer the peer process when we started it (its death ends the wait early); empty for {@code ipc serve}
     * @throws IpcTimeoutException when nobody connected in time
     */
    Channel accept(Duration timeout, Optional<Process> peer) throws IOException;

    /** Parameters the kernel actually applied (buffer sizes, capacity, path), echoed in every result. */
    default Map<String, String> effectiveParameters() {
        return Map.of();
    }

    /** The kernel objects and files this end created, as {@code kind:name} (e.g. {@code file:/tmp/ipclab-x/s.sock}). */
    default List<String> createdObjects() {
        return List.of();
    }

    /** Removes every kernel object and file this end created. Idempotent; may be called from another thread to abort {@link #accept}. */
    @Override
    void close() throws IOException;
}
