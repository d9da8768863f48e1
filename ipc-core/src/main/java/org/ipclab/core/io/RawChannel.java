package org.ipclab.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;

/**
 * A byte channel over a raw file descriptor that is not a {@link java.nio.channels.SelectableChannel}
 * yet can try a call without blocking ({@link IoRoute#FFM}); {@link org.ipclab.core.StreamChannel}'s
 * {@code tryReceive}/{@code trySend} use these.
 */
public interface RawChannel extends ByteChannel {

    /** Reads what is there without waiting: bytes read, 0 when nothing is there, -1 at end of stream. */
    int readNow(ByteBuffer dst) throws IOException;

    /** Writes what fits without waiting: bytes written, 0 when nothing fits. */
    int writeNow(ByteBuffer src) throws IOException;

    /**
     * Sockets: bounds each blocking {@link #read} to {@code millis} (SO_RCVTIMEO; 0 = unbounded),
     * after which it returns 0. One setsockopt, so callers set it only when the value changes.
     */
    void setReceiveTimeout(int millis) throws IOException;

    /**
     * Sockets: bounds each blocking {@link #write} to {@code millis} (SO_SNDTIMEO; 0 = unbounded),
     * after which it returns 0 having sent nothing, so a send to a full datagram queue can block in
     * one call, as in C, and its caller still sees its deadline and a dead peer.
     */
    default void setSendTimeout(int millis) throws IOException {
        throw new UnsupportedOperationException("no SO_SNDTIMEO on " + this);
    }
}
