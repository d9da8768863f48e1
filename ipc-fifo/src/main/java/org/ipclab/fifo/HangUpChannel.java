package org.ipclab.fifo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;

import org.ipclab.core.StreamChannel;
import org.ipclab.core.internal.Deadline;
import org.ipclab.core.io.IoRoute;

/**
 * The server's end when clients come one after another ({@code ipc serve}). The classic FIFO
 * server pitfall: if the server closes and re-opens to-server while the last client still holds
 * its write end, the open succeeds at once and the "new client" is the old one hanging up. So on
 * close we first wait — briefly, and discarding anything left — until every writer of to-server is
 * gone (read returns end of file); only then can the next open mean a new client.
 */
final class HangUpChannel extends StreamChannel {
    static final Duration HANG_UP_WAIT = Duration.ofSeconds(2);
    private final FileChannel in;

    HangUpChannel(String mechanism, FileChannel in, FileChannel out, int maxMessageSize, IoRoute route) throws IOException {
        super(mechanism, route.wrap(in), route.wrap(out), maxMessageSize);
        this.in = in;
    }

    @Override
    public void close() throws IOException {
        if (in.isOpen()) {
            ByteBuffer discard = ByteBuffer.allocateDirect(4096);
            try (Deadline deadline = new Deadline(() -> FifoFiles.closeQuietly(in))) {
                deadline.arm(HANG_UP_WAIT);
                while (in.read(discard.clear()) >= 0) {
                    // leftovers of a client that is leaving
                }
                deadline.disarm();
            } catch (IOException closedByTheDeadline) {
                // the client did not hang up in time; close anyway
            }
        }
        super.close();
    }
}
