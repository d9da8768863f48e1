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

import org.ipclab.core.BadInputException;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.IpcException;
import org.ipclab.core.IpcTimeoutException;

/**
 * "Accept" for connectionless sockets: wait for the first datagram, learn who sent it, then
 * {@code connect} to that address so the kernel drops datagrams from anyone else.
 */
final class DatagramAccept {
    private DatagramAccept() {
    }

    /**
     * The number of writers a fan-in run shares the server's socket among ({@link ChannelSpec#FAN_IN_WRITERS}),
     * or 0 without the option: one client at a time, the socket connected to it.
     */
    static int fanInWriters(ChannelSpec spec) {
        String v = spec.option(ChannelSpec.FAN_IN_WRITERS).orElse(null);
        if (v == null) return 0;
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new BadInputException("option " + ChannelSpec.FAN_IN_WRITERS + "=" + v + " is not a number of writers (1 or more)");
    }

    /** "1 writer", "3 writers": for the effective parameters. */
    static String writers(int n) {
        return n + (n == 1 ? " writer" : " writers");
    }

    /** Waits for a datagram that {@code wanted} accepts (others are dropped); it is left flipped in {@code into}. */
    static SocketAddress firstDatagram(DatagramChannel socket, ByteBuffer into, String mechanism, Duration timeout,
                                       Optional<Process> peer, Predicate<ByteBuffer> wanted) throws IOException {
        return firstDatagram(socket, into, mechanism, timeout, peer, (from, b) -> wanted.test(b));
    }

    /** As above, with the sender's address: {@code wanted} may also pass over senders it already refused. */
    static SocketAddress firstDatagram(DatagramChannel socket, ByteBuffer into, String mechanism, Duration timeout,
                                       Optional<Process> peer, java.util.function.BiPredicate<SocketAddress, ByteBuffer> wanted)
            throws IOException {
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
                    if (wanted.test(from, into)) return from;
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

    /**
     * Called right after {@code connect(client)}: the kernel filters only what arrives from now on,
     * so the receive queue may still hold datagrams from anyone — a flood of JOINs, a stranger's
     * message. Those are dropped here (a queued JOIN would otherwise be the next accept's "client",
     * one idle timeout each); the client's own ones, but for its repeated JOINs, are returned in
     * order to be delivered first. Returns what it kept.
     */
    static java.util.List<ByteBuffer> dropStrangers(DatagramChannel socket, ByteBuffer scratch, Predicate<SocketAddress> isClient) throws IOException {
        java.util.List<ByteBuffer> kept = new java.util.ArrayList<>();
        boolean wasBlocking = socket.isBlocking();
        socket.configureBlocking(false);
        try {
            while (true) {
                scratch.clear();
                SocketAddress from;
                try {
                    from = socket.receive(scratch);
                } catch (java.net.PortUnreachableException e) {
                    continue; // an ICMP error left by an earlier send; not a datagram
                }
                if (from == null) return kept;
                scratch.flip();
                if (isClient.test(from) && !DatagramMessageChannel.isJoin(scratch)) {
                    ByteBuffer copy = ByteBuffer.allocate(scratch.remaining());
                    copy.put(scratch).flip();
                    kept.add(copy);
                }
            }
        } finally {
            socket.configureBlocking(wasBlocking);
        }
    }
}
