package org.ipclab.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * One end of a message channel between two processes. Every call moves one whole message.
 *
 * <p>Blocking calls take a {@link Duration}: there is no "wait forever" and no bare number whose
 * unit a caller must guess. The {@code try} variants are for hot loops: they return at once,
 * report "not yet" as {@code false}/{@code 0}, and throw only when the channel is broken.
 *
 * <pre>{@code
 * try (Channel ch = session.channel()) {
 *     ch.send(ByteBuffer.wrap(bytes), Duration.ofSeconds(1));
 *     int n = ch.receive(buffer, Duration.ofSeconds(1));   // END_OF_STREAM: the peer closed its end
 * }
 * }</pre>
 *
 * <p>A channel is used by one thread at a time (one sender and one receiver may run at once).
 * After a timeout or an error the channel may be closed, see {@link IpcTimeoutException}.
 */
public interface Channel extends AutoCloseable {

    /** {@link #receive}/{@link #tryReceive}: the peer closed its end; no more messages will come. */
    int END_OF_STREAM = -1;
    /** {@link #tryReceive}: no complete message yet. (Not 0: a 0-byte message is a real message.) */
    int NO_MESSAGE = -2;

    /**
     * Sends the bytes between {@code message.position()} and its limit as one message, or throws.
     * The buffer's position is not changed.
     *
     * @throws MessageTooLargeException when the message exceeds {@link #maxMessageSize()}; nothing was sent
     * @throws IpcTimeoutException when the peer did not make room in time
     * @throws PeerGoneException when the peer closed its end or died
     */
    void send(ByteBuffer message, Duration timeout) throws IOException;

    /**
     * Receives exactly one message into {@code into} (from its position) and returns its length,
     * or {@link #END_OF_STREAM} when the peer closed its end. On return the position is advanced past the message.
     *
     * @throws IpcTimeoutException when no message arrived in time
     * @throws ProtocolException when the peer sent something that is not a valid message
     */
    int receive(ByteBuffer into, Duration timeout) throws IOException;

    /** Sends one message if that can be done without waiting; {@code false} means "not now", nothing was sent. */
    boolean trySend(ByteBuffer message) throws IOException;

    /** Receives one message if one is complete: its length, {@link #NO_MESSAGE} when none is there yet, {@link #END_OF_STREAM} when the peer closed. */
    int tryReceive(ByteBuffer into) throws IOException;

    /** The largest message this channel carries, in bytes. */
    int maxMessageSize();

    /**
     * Who is at the other end, for a log line about this one client ("127.0.0.1:40312",
     * "pid=4100 uid=1000 gid=1000"); empty when the mechanism cannot tell. A hint, never a credential.
     */
    default String peer() {
        return "";
    }

    /** Closes this end. Kernel objects are released by the {@link ServerEnd} that created them. */
    @Override
    void close() throws IOException;
}
