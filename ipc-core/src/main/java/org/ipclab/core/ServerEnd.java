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
 * (for related-process mechanisms) {@link #preparePeer} → peer starts → {@link #accept}.
 */
public interface ServerEnd extends AutoCloseable {

    /** What the peer needs to {@link ChannelProvider#connect}: the spec with the actual path, port or name filled in. */
    ChannelSpec peerSpec();

    /**
     * Lets a mechanism that works only between a parent and its child wire the child's standard
     * streams or descriptors before it starts (the pipe provider keeps stdin/stdout as pipes).
     * Returns true when the mechanism took over the child's stdin and stdout.
     */
    default boolean preparePeer(ProcessBuilder peer) {
        return false;
    }

    /**
     * Lets a mechanism start the peer itself, when how it is created matters and ProcessBuilder
     * cannot do it (real-time signals: the child must start with the signal blocked in every
     * thread, and JDK 20+ ProcessBuilder clears the child's signal mask). The launcher calls it
     * after {@link #preparePeer}; empty (the default) means "use ProcessBuilder". A returned
     * process must offer {@code getErrorStream()} (the peer's stderr), {@code waitFor},
     * {@code exitValue}, {@code destroy} and {@code destroyForcibly}.
     */
    default Optional<Process> startPeer(List<String> command) throws IOException {
        return Optional.empty();
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
