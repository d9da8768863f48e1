package org.ipclab.core;

import java.io.IOException;
import java.net.PortUnreachableException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;

/**
 * Turns the JDK's (and junixsocket's) I/O exceptions into ipclab's, once for every transport.
 * The JDK reports EPIPE, ECONNRESET and ECONNREFUSED only as message text ("Broken pipe",
 * "Connection reset by peer", "Connection refused"), so the text is what there is to match.
 */
public final class IoErrors {
    private IoErrors() {
    }

    /**
     * @param closedByUs whether our own end was closed (a close from another thread aborts a blocked call)
     * @return {@link PeerGoneException} when the other end went away, an {@link IpcException} otherwise;
     *         an {@link IpcException} passes through unchanged
     */
    public static IOException translate(String mechanism, String op, IOException e, boolean closedByUs) {
        if (e instanceof IpcException) return e;
        if (closedByUs || e instanceof AsynchronousCloseException || e instanceof ClosedChannelException) {
            return new IpcException(mechanism + " " + op + ": channel closed");
        }
        if (peerGone(e)) {
            return new PeerGoneException(mechanism + " " + op + ": peer closed the connection (" + e.getMessage() + ")", e);
        }
        return new IpcException(mechanism + " " + op + " failed: " + e.getMessage(), e);
    }

    /** EPIPE, ECONNRESET, ECONNREFUSED (a datagram peer's socket is gone), a closed stream. */
    public static boolean peerGone(IOException e) {
        if (e instanceof PortUnreachableException || e.getClass().getSimpleName().contains("ConnectionRefused")) return true;
        String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        return m.contains("broken pipe") || m.contains("reset") || m.contains("refused") || m.contains("stream closed");
    }
}
