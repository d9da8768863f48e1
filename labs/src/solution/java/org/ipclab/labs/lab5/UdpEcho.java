package org.ipclab.labs.lab5;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/** Lab 5 reference solution, task 4. */
public final class UdpEcho implements AutoCloseable {
    private final DatagramChannel channel;

    private UdpEcho(DatagramChannel channel) {
        this.channel = channel;
        Thread t = new Thread(this::loop, "udp-echo");
        t.setDaemon(true);
        t.start();
    }

    private void loop() {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        while (channel.isOpen()) {
            try {
                buf.clear();
                SocketAddress from = channel.receive(buf);
                buf.flip();
                channel.send(buf, from);
            } catch (IOException e) {
                return;
            }
        }
    }

    public static UdpEcho start() throws IOException {
        return new UdpEcho(DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
    }

    public SocketAddress address() throws IOException {
        return channel.getLocalAddress();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
