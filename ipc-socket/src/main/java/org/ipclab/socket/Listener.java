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

/** Accepts with a timeout, leaving the listening socket open for the next accept whatever happens. */
final class Listener {
    private static final long SLICE_MS = 100;
    /** Connections the kernel queues before accept: a server of many clients must not refuse the second at once. */
    static final int BACKLOG = 64;

    private Listener() {
    }

    /**
     * Waits for a connection in slices of {@value #SLICE_MS} ms (non-blocking accept plus a
     * selector), checking between slices whether the listener was closed (the server end's close),
     * the peer process exited, or the time is up. A timeout does not close the listener: the
     * server end stays ready for the next accept. The accepted socket is in blocking mode.
     */
    static SocketChannel accept(ServerSocketChannel listener, String mechanism, Duration timeout, Optional<Process> peer) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            synchronized (listener.blockingLock()) {
                listener.configureBlocking(false);
            }
            try (java.nio.channels.Selector selector = listener.provider().openSelector()) {
                listener.register(selector, java.nio.channels.SelectionKey.OP_ACCEPT);
                while (true) {
                    SocketChannel s = listener.accept();
                    if (s != null) {
                        s.configureBlocking(true);
                        return s;
                    }
                    if (peer.isPresent() && !peer.get().isAlive()) {
                        throw new IpcException(mechanism + " accept: the peer process exited before connecting");
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) throw new IpcTimeoutException(mechanism + " accept (nobody connected)", timeout);
                    selector.select(Math.max(1, Math.min(SLICE_MS, left / 1_000_000)));
                    selector.selectedKeys().clear();
                }
            }
        } catch (ClosedChannelException e) {
            throw new IpcException(mechanism + " accept: listening socket closed while waiting (peer gone?)");
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
