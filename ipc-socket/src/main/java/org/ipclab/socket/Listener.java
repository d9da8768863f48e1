package org.ipclab.socket;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;

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

    /** One accept attempt that gives up after the socket's SO_TIMEOUT slice. */
    interface Attempt<T> {
        T accept() throws IOException;
    }

    /**
     * A blocking accept for sockets whose close does not wake a blocked accept (junixsocket): tried in
     * slices of the socket's SO_TIMEOUT (set by the caller), checking between slices whether the
     * socket was closed, the peer process exited, or the timeout passed.
     */
    static <T> T acceptInSlices(String mechanism, Duration timeout, Optional<Process> peer,
                                BooleanSupplier closed, Attempt<T> attempt) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (closed.getAsBoolean()) throw new IpcException(mechanism + " accept: listening socket closed while waiting (peer gone?)");
            if (peer.isPresent() && !peer.get().isAlive()) {
                throw new IpcException(mechanism + " accept: the peer process exited before connecting");
            }
            try {
                return attempt.accept();
            } catch (SocketTimeoutException slice) {
                if (System.nanoTime() - deadline >= 0) throw new IpcTimeoutException(mechanism + " accept (nobody connected)", timeout);
            } catch (IOException e) {
                if (closed.getAsBoolean()) throw new IpcException(mechanism + " accept: listening socket closed while waiting (peer gone?)");
                throw e;
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
