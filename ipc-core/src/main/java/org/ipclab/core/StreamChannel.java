package org.ipclab.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.ipclab.core.internal.Deadline;
import org.ipclab.core.io.RawChannel;

/**
 * A {@link Channel} over a byte stream (pipe, FIFO, Unix stream socket, TCP), carrying messages
 * in the {@link Framing} wire format.
 *
 * <p>The underlying channels stay in blocking mode, so a receive that waits is one {@code read}
 * syscall, as in C. Timeouts come from a {@link Deadline}: when it fires it closes the stream,
 * which wakes the blocked call; a timed-out stream channel is therefore closed (it could be in the
 * middle of a frame). The underlying channels must wake blocked threads on close, as the JDK's
 * {@code SocketChannel} and {@code FileChannel} do.
 *
 * <p>Reads go through one direct buffer, so a message usually costs one syscall even though it has
 * a header. The buffer grows to two frames of the largest message seen, up to {@link #GROW_LIMIT},
 * as the C baseline's does: a 64 KiB frame is then one read (and a read may bring the next frame
 * too), not a read for the header's buffer and another for the payload's tail. Payloads over the
 * limit are read straight into the caller's buffer. Small writes are
 * copied behind the header into one direct buffer and leave in one {@code write}.
 */
public class StreamChannel implements Channel {
    private static final int BUFFER_BYTES = 64 * 1024;
    /** Largest frame the read buffer grows to hold (twice over); bounds a channel's memory. */
    private static final int GROW_LIMIT = 256 * 1024 + Framing.HEADER_BYTES;
    private static final Duration TRY_SEND_COMPLETION = Duration.ofSeconds(30);

    private final String mechanism;
    private final ReadableByteChannel in;
    private final WritableByteChannel out;
    private final List<AutoCloseable> alsoClose;
    private final int maxMessageSize;
    private ByteBuffer readBuffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(Framing.ORDER);
    private final ByteBuffer writeBuffer = ByteBuffer.allocateDirect(BUFFER_BYTES + Framing.HEADER_BYTES).order(Framing.ORDER);
    private final ByteBuffer[] gather = new ByteBuffer[2];
    private final Deadline readDeadline;
    private final Deadline writeDeadline;
    private volatile boolean closed;
    private volatile String peer = "";

    /**
     * @param in        where frames come from; closed on {@link #close()}
     * @param out       where frames go; may be the same object as {@code in}
     * @param alsoClose further resources owned by this end (closed after the streams)
     */
    public StreamChannel(String mechanism, ReadableByteChannel in, WritableByteChannel out,
                         int maxMessageSize, AutoCloseable... alsoClose) {
        this.mechanism = mechanism;
        this.in = in;
        this.out = out;
        this.maxMessageSize = maxMessageSize;
        this.alsoClose = List.of(alsoClose);
        readBuffer.limit(0);
        this.readDeadline = new Deadline(this::closeQuietly);
        this.writeDeadline = new Deadline(this::closeQuietly);
    }

    @Override
    public int maxMessageSize() {
        return maxMessageSize;
    }

    /** Names the other end for {@link #peer()} (a server end knows it from accept). */
    public StreamChannel describedAs(String peer) {
        this.peer = peer;
        return this;
    }

    @Override
    public String peer() {
        return peer;
    }

    // ---------------------------------------------------------------- send

    @Override
    public void send(ByteBuffer message, Duration timeout) throws IOException {
        int length = checkSize(message);
        if (length <= BUFFER_BYTES) {
            frameSmall(message, length);
            writeFully(writeBuffer, null, timeout);
        } else {
            writeBuffer.clear();
            writeBuffer.putInt(length).flip();
            writeFully(writeBuffer, message.duplicate(), timeout);
        }
    }

    /** Header and payload into the write buffer with absolute copies: no duplicate buffer per message. */
    private void frameSmall(ByteBuffer message, int length) {
        writeBuffer.clear();
        writeBuffer.putInt(length);
        writeBuffer.put(Framing.HEADER_BYTES, message, message.position(), length);
        writeBuffer.position(Framing.HEADER_BYTES + length).flip();
    }

    @Override
    public boolean trySend(ByteBuffer message) throws IOException {
        int length = checkSize(message);
        if (!(out instanceof SelectableChannel) && !(out instanceof RawChannel)) {
            send(message, TRY_SEND_COMPLETION);
            return true;
        }
        SelectableChannel selectable = out instanceof SelectableChannel ? (SelectableChannel) out : null;
        ByteBuffer payload = null;
        if (length <= BUFFER_BYTES) {
            frameSmall(message, length);
        } else {
            payload = message.duplicate();
            writeBuffer.clear();
            writeBuffer.putInt(length).flip();
        }
        int written;
        if (out instanceof RawChannel) {
            try {
                written = ((RawChannel) out).writeNow(writeBuffer);
            } catch (IOException e) {
                throw translate(e, "send");
            }
        } else synchronized (selectable.blockingLock()) {
            selectable.configureBlocking(false);
            try {
                written = out.write(writeBuffer);
            } catch (IOException e) {
                throw translate(e, "send");
            } finally {
                selectable.configureBlocking(true);
            }
        }
        if (written == 0) return false;
        // A frame that has begun must end: finish it blocking (the receiver is draining).
        writeFully(writeBuffer, payload, TRY_SEND_COMPLETION);
        return true;
    }

    private int checkSize(ByteBuffer message) {
        int length = message.remaining();
        if (length > maxMessageSize) throw new MessageTooLargeException(mechanism, length, maxMessageSize);
        return length;
    }

    private void writeFully(ByteBuffer header, ByteBuffer payload, Duration timeout) throws IOException {
        ensureOpen();
        writeDeadline.arm(timeout);
        try {
            if (payload == null) {
                while (header.hasRemaining()) out.write(header);
            } else if (out instanceof GatheringByteChannel) {
                gather[0] = header;
                gather[1] = payload;
                // Gather only until the header is out, then plain writes: junixsocket 2.11.1's gathering
                // write sends the first non-empty buffer only and then returns 0 forever.
                while (header.hasRemaining()) ((GatheringByteChannel) out).write(gather);
                while (payload.hasRemaining()) out.write(payload);
            } else {
                while (header.hasRemaining()) out.write(header);
                while (payload.hasRemaining()) out.write(payload);
            }
        } catch (IOException e) {
            if (!writeDeadline.disarm()) throw new IpcTimeoutException(mechanism + " send (peer not reading; channel closed)", timeout);
            throw translate(e, "send");
        } finally {
            gather[1] = null;
        }
        if (!writeDeadline.disarm()) throw new IpcTimeoutException(mechanism + " send", timeout);
    }

    // ---------------------------------------------------------------- receive

    @Override
    public int receive(ByteBuffer into, Duration timeout) throws IOException {
        ensureOpen();
        if (!fill(Framing.HEADER_BYTES, timeout)) return END_OF_STREAM;
        int frame = Framing.HEADER_BYTES + checkFrame(into);
        if (frame > readBuffer.remaining() && roomFor(frame)) fill(frame, timeout);
        int length = frameLength(into);
        int buffered = Math.min(length, readBuffer.remaining());
        copyOut(into, buffered);
        int rest = length - buffered;
        if (rest > 0) readDirect(into, rest, length, timeout);
        return length;
    }

    @Override
    public int tryReceive(ByteBuffer into) throws IOException {
        ensureOpen();
        if (!frameBuffered()) {
            int n = readNow();
            if (n < 0) {
                if (readBuffer.hasRemaining()) throw midFrame();
                return END_OF_STREAM;
            }
            if (readBuffer.remaining() >= Framing.HEADER_BYTES) roomFor(Framing.HEADER_BYTES + checkFrame(into));
            if (!frameBuffered()) return NO_MESSAGE;
        }
        int length = frameLength(into);
        copyOut(into, length);
        return length;
    }

    /**
     * True when a header and its whole payload are in the read buffer: the next receive needs no
     * read. For a subclass that waits for readiness itself (poll) before it receives.
     */
    protected final boolean frameBuffered() {
        if (readBuffer.remaining() < Framing.HEADER_BYTES) return false;
        long length = Integer.toUnsignedLong(readBuffer.getInt(readBuffer.position()));
        return readBuffer.remaining() - Framing.HEADER_BYTES >= length;
    }

    /**
     * Whether the read buffer can hold a whole {@code frame}, growing it (keeping what it holds) to
     * two frames when the frame is within {@link #GROW_LIMIT}.
     */
    private boolean roomFor(int frame) {
        if (frame <= readBuffer.capacity()) return true;
        if (frame > GROW_LIMIT) return false;
        ByteBuffer grown = ByteBuffer.allocateDirect(2 * frame).order(Framing.ORDER);
        grown.put(readBuffer).flip();
        readBuffer = grown;
        return true;
    }

    /** Validates the buffered header, consumes it and returns the payload length. */
    private int frameLength(ByteBuffer into) throws IOException {
        int length = checkFrame(into);
        readBuffer.position(readBuffer.position() + Framing.HEADER_BYTES);
        return length;
    }

    /** Validates the buffered header without consuming it; returns the payload length. */
    private int checkFrame(ByteBuffer into) throws IOException {
        long length = Integer.toUnsignedLong(readBuffer.getInt(readBuffer.position()));
        if (length > maxMessageSize) {
            closeQuietly();
            throw new ProtocolException(mechanism + ": frame length " + length + " is over the limit of "
                    + maxMessageSize + " bytes; not a valid ipclab frame, channel closed");
        }
        if (into.remaining() < length) {
            throw new IllegalArgumentException("receive buffer has room for " + into.remaining()
                    + " bytes but the next message has " + length);
        }
        return (int) length;
    }

    private void copyOut(ByteBuffer into, int n) {
        int limit = readBuffer.limit();
        readBuffer.limit(readBuffer.position() + n);
        into.put(readBuffer);
        readBuffer.limit(limit);
    }

    /** Blocks until at least {@code n} bytes are buffered; false on a clean end of stream before any byte. */
    private boolean fill(int n, Duration timeout) throws IOException {
        if (readBuffer.remaining() >= n) return true;
        readBuffer.compact();
        try {
            readDeadline.arm(timeout);
            try {
                while (readBuffer.position() < n) {
                    if (in.read(readBuffer) < 0) {
                        // Some channels (junixsocket) report a close by another thread as end of stream.
                        if (readDeadline.expired()) throw new IpcTimeoutException(mechanism + " receive", timeout);
                        if (readBuffer.position() == 0) return false;
                        throw midFrame();
                    }
                }
            } catch (PeerGoneException e) {
                throw e;
            } catch (IOException e) {
                if (!readDeadline.disarm()) throw new IpcTimeoutException(mechanism + " receive", timeout);
                throw translate(e, "receive");
            }
            if (!readDeadline.disarm()) throw new IpcTimeoutException(mechanism + " receive", timeout);
            return true;
        } finally {
            readBuffer.flip();
        }
    }

    private void readDirect(ByteBuffer into, int rest, int length, Duration timeout) throws IOException {
        int limit = into.limit();
        into.limit(into.position() + rest);
        readDeadline.arm(timeout);
        try {
            while (into.hasRemaining()) {
                if (in.read(into) < 0) {
                    if (readDeadline.expired()) throw new IpcTimeoutException(mechanism + " receive", timeout);
                    throw new PeerGoneException(mechanism + ": peer closed the connection in the middle of a "
                            + length + "-byte message");
                }
            }
        } catch (PeerGoneException e) {
            throw e;
        } catch (IOException e) {
            if (!readDeadline.disarm()) throw new IpcTimeoutException(mechanism + " receive", timeout);
            throw translate(e, "receive");
        } finally {
            into.limit(limit);
        }
        if (!readDeadline.disarm()) throw new IpcTimeoutException(mechanism + " receive", timeout);
    }

    /** One non-blocking read into the buffer; overridable for streams that are not {@link SelectableChannel}s. */
    protected int readNow() throws IOException {
        if (in instanceof RawChannel) {
            readBuffer.compact();
            try {
                return ((RawChannel) in).readNow(readBuffer);
            } catch (IOException e) {
                throw translate(e, "receive");
            } finally {
                readBuffer.flip();
            }
        }
        if (!(in instanceof SelectableChannel)) {
            throw new UnsupportedOperationException(mechanism + " has no non-blocking read; use receive()");
        }
        SelectableChannel selectable = (SelectableChannel) in;
        readBuffer.compact();
        try {
            synchronized (selectable.blockingLock()) {
                selectable.configureBlocking(false);
                try {
                    return in.read(readBuffer);
                } finally {
                    selectable.configureBlocking(true);
                }
            }
        } catch (IOException e) {
            throw translate(e, "receive");
        } finally {
            readBuffer.flip();
        }
    }

    private PeerGoneException midFrame() {
        return new PeerGoneException(mechanism + ": peer closed the connection in the middle of a message");
    }

    private IOException translate(IOException e, String op) {
        return IoErrors.translate(mechanism, op, e, closed);
    }

    private void ensureOpen() throws IpcException {
        if (closed) throw new IpcException(mechanism + ": channel is closed");
    }

    // ---------------------------------------------------------------- close

    @Override
    public void close() throws IOException {
        closeQuietly();
    }

    private void closeQuietly() {
        if (closed) return;
        closed = true;
        List<AutoCloseable> all = new ArrayList<>();
        all.add(in);
        if (out != in) all.add(out);
        all.addAll(alsoClose);
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception ignored) {
                // Closing is best effort; the kernel reclaims descriptors at exit anyway.
            }
        }
        readDeadline.close();
        writeDeadline.close();
    }

    @Override
    public String toString() {
        return mechanism + " stream channel";
    }
}
