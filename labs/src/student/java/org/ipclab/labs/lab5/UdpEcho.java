package org.ipclab.labs.lab5;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.DatagramChannel;

/**
 * Lab 5, task 4: a datagram echo. One send is one datagram and one receive gets exactly one:
 * boundaries are kept (unlike a stream), but nothing guarantees delivery or order.
 */
public final class UdpEcho implements AutoCloseable {
    private final DatagramChannel channel;

    private UdpEcho(DatagramChannel channel) {
        this.channel = channel;
        // TODO(lab5) task 4: start a daemon thread that, while the channel is open, receives one datagram into a
        //   64 KiB buffer (SocketAddress from = channel.receive(buf)), flips the buffer and sends it back to 'from'.
        //   receive() throws when close() closes the channel: then the thread ends.
    }

    /** Binds a DatagramChannel to loopback, port 0, and starts echoing. */
    public static UdpEcho start() throws IOException {
        // TODO(lab5) task 4: DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        throw new UnsupportedOperationException("TODO(lab5): UdpEcho.start");
    }

    public SocketAddress address() throws IOException {
        return channel.getLocalAddress();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
