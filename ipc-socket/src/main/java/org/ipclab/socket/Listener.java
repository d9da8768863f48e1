package org.ipclab.socket;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;

import org.ipclab.core.IpcException;
import org.ipclab.core.IpcTimeoutException;
import org.ipclab.core.internal.Deadline;

/** A blocking {@code accept} with a timeout: the deadline closes the listening socket to wake it. */
final class Listener {
    private Listener() {
    }

    static SocketChannel accept(ServerSocketChannel listener, String mechanism, Duration timeout) throws IOException {
        try (Deadline deadline = new Deadline(() -> closeQuietly(listener))) {
            deadline.arm(timeout);
            try {
                SocketChannel s = listener.accept();
                if (!deadline.disarm()) {
                    s.close();
                    throw new IpcTimeoutException(mechanism + " accept", timeout);
                }
                return s;
            } catch (ClosedChannelException e) {
                if (!deadline.disarm()) throw new IpcTimeoutException(mechanism + " accept (nobody connected)", timeout);
                throw new IpcException(mechanism + " accept: listening socket closed while waiting (peer gone?)");
            }
        }
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // best effort
        }
    }
}
