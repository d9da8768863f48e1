package org.ipclab.socket;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;

import org.ipclab.core.IpcException;
import org.ipclab.core.IpcTimeoutException;

/**
 * "Accept" for connectionless sockets: wait for the first datagram, learn who sent it, then
 * {@code connect} to that address so the kernel drops datagrams from anyone else.
 */
final class DatagramAccept {
    private DatagramAccept() {
    }

    /** Waits for a datagram that {@code wanted} accepts (others are dropped); it is left flipped in {@code into}. */
    static SocketAddress firstDatagram(DatagramChannel socket, ByteBuffer into, String mechanism, Duration timeout,
                                       Optional<Process> peer, Predicate<ByteBuffer> wanted) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        socket.configureBlocking(false);
        try (Selector selector = socket.provider().openSelector()) {
            socket.register(selector, SelectionKey.OP_READ);
            while (true) {
                if (!socket.isOpen()) throw new IpcException(mechanism + " accept: socket closed while waiting (peer gone?)");
                into.clear();
                SocketAddress from;
                try {
                    from = socket.receive(into);
                } catch (IOException e) {
                    if (!socket.isOpen()) throw new IpcException(mechanism + " accept: socket closed while waiting (peer gone?)");
                    throw e;
                }
                if (from != null) {
                    into.flip();
                    if (wanted.test(into)) return from;
                    continue;
                }
                if (peer.isPresent() && !peer.get().isAlive()) {
                    throw new IpcException(mechanism + " accept: the peer process exited before its first datagram");
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new IpcTimeoutException(mechanism + " accept (no datagram from a peer)", timeout);
                selector.select(Math.max(1, Math.min(100, left / 1_000_000)));
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            if (!socket.isOpen() && !(e instanceof IpcException)) {
                throw new IpcException(mechanism + " accept: socket closed while waiting (peer gone?)");
            }
            throw e;
        }
    }
}
