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
 * <p>Lifecycle:
 * <pre>
 *   {@link ChannelProvider#open} ─→ {@link #peerSpec()} handed to the peer ─→ [{@link #startPeer}] ─→ {@link #accept} ─→ channel … channel.close()
 *                                                                      ↑                              │
 *                                                                      └──────── accept again ────────┘
 *   … {@link #close()} (any time, from any thread: ends a waiting accept and removes everything)
 * </pre>
 * One session at a time: {@link #accept} returns the channel to one peer; once that channel is
 * closed (or its peer died), {@code accept} may be called again for the next peer, with the same
 * {@link #peerSpec()} — a server end serves client after client ({@code ipc serve}). Sessions are
 * independent: the next peer sees nothing the last one sent or left unread, and a late message of
 * the last peer never reaches the next. A failed {@code accept} (timeout, a refused or dying
 * peer) leaves the server end ready for the next {@code accept}. Mechanisms that connect only a
 * parent and the child it starts ({@link Capability#RELATED_PROCESSES_ONLY}) have one session.
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
     * Waits for the next peer to connect and returns our end of the channel: a session of its own,
     * which starts clean whatever an earlier one left behind. Call it again once the previous
     * channel is closed (a still open one is ended first where the mechanism must free a shared
     * object, e.g. the shm segment or the queues).
     *
     * @param peer the peer process when we started it (its death ends the wait early); empty for {@code ipc serve}
     * @throws IpcTimeoutException when nobody connected in time; the server end stays usable
     * @throws IpcException when a peer was refused (another uid, a bad handshake) or died first; the server end stays usable
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
