package org.ipclab.core;

import java.nio.ByteOrder;

/**
 * The wire format for byte-stream mechanisms (pipe, fifo, unix stream, tcp), so that any program
 * — a C client, {@code socat}, a Python script — can speak to ipclab:
 *
 * <pre>
 *   +----------------------------+------------------------+
 *   | length: u32, little-endian | payload: length bytes  |
 *   +----------------------------+------------------------+
 * </pre>
 *
 * A length over the receiver's maximum is a protocol error: the receiver reports it and closes;
 * it never allocates that much. Mechanisms that keep boundaries themselves (datagrams, queues,
 * the shm ring) do not use this header. See docs/wire-format.md.
 */
public final class Framing {
    /** Bytes in the length header. */
    public static final int HEADER_BYTES = 4;
    public static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    /** The maximum payload ipclab's stream channels accept unless told otherwise: 1 MiB. */
    public static final int DEFAULT_MAX_MESSAGE = 1 << 20;

    private Framing() {
    }
}
