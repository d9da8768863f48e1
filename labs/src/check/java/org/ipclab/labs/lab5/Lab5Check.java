package org.ipclab.labs.lab5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import org.ipclab.core.Names;
import org.ipclab.labs.Checks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Lab 5 check. Tasks and hints: {@link org.ipclab.labs.LabCatalog}. */
class Lab5Check {
    private Path dir;

    @AfterEach
    void cleanUp() throws Exception {
        if (dir != null) Checks.deleteRecursively(dir);
    }

    /** A stream that hands out at most {@code chunk} bytes per read, as a socket may. */
    private static ReadableByteChannel trickle(byte[] data, int chunk) {
        return new ReadableByteChannel() {
            int pos;
            boolean open = true;

            @Override
            public int read(ByteBuffer dst) {
                if (pos == data.length) return -1;
                int n = Math.min(Math.min(chunk, dst.remaining()), data.length - pos);
                dst.put(data, pos, n);
                pos += n;
                return n;
            }

            @Override
            public boolean isOpen() {
                return open;
            }

            @Override
            public void close() {
                open = false;
            }
        };
    }

    /** A sink that takes at most 3 bytes per write, as a full socket buffer may. */
    private static WritableByteChannel stingy(ByteArrayOutputStream out) {
        WritableByteChannel inner = Channels.newChannel(out);
        return new WritableByteChannel() {
            @Override
            public int write(ByteBuffer src) throws IOException {
                ByteBuffer slice = src.slice();
                slice.limit(Math.min(3, slice.remaining()));
                int n = inner.write(slice);
                src.position(src.position() + n);
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    @Timeout(10)
    void task1_framesKeepMessagesWhole() throws Exception {
        byte[] big = new byte[70_000];
        new Random(5).nextBytes(big);
        byte[][] messages = {new byte[0], "a".getBytes(StandardCharsets.UTF_8), "hello".getBytes(StandardCharsets.UTF_8), big};
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        WritableByteChannel w = stingy(wire);
        for (byte[] m : messages) Frames.write(w, ByteBuffer.wrap(m));
        byte[] bytes = wire.toByteArray();
        assertEquals(4 * 4 + 6 + big.length, bytes.length, "bytes on the wire for 4 frames (4-byte header each)");
        assertEquals(5, ByteBuffer.wrap(bytes, 4 + 4 + 1, 4).order(ByteOrder.LITTLE_ENDIAN).getInt(), "the third header must say 5, little-endian");

        ReadableByteChannel r = trickle(bytes, 1); // one byte per read: the worst a stream may do
        for (byte[] m : messages) {
            ByteBuffer got = Frames.read(r, 100_000);
            assertTrue(got != null, "read returned null (end of stream) before all frames were read");
            byte[] b = new byte[got.remaining()];
            got.get(b);
            assertArrayEquals(m, b, "a message of " + m.length + " bytes came back different");
        }
        assertNull(Frames.read(r, 100_000), "after the last frame, read must return null (clean end of stream)");

        assertThrows(java.io.EOFException.class, () -> Frames.read(trickle(new byte[] {10, 0, 0, 0, 1, 2}, 4), 100),
                "a stream that ends inside a frame must throw EOFException");
        byte[] huge = {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f};
        IOException e = assertThrows(IOException.class, () -> Frames.read(trickle(huge, 4), 1024),
                "a length of 2147483647 over a max of 1024 must be refused with an IOException before allocating");
        assertFalse(e instanceof java.io.EOFException, "the length must be checked before reading the payload");
    }

    private static void echoOnce(SocketChannel c, String text) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (out.hasRemaining()) c.write(out);
        ByteBuffer in = ByteBuffer.allocate(out.capacity());
        while (in.hasRemaining()) {
            if (c.read(in) < 0) throw new AssertionError("the server closed the connection before echoing '" + text + "'");
        }
        assertEquals(text, new String(in.array(), StandardCharsets.UTF_8), "echo");
    }

    @Test
    @Timeout(10)
    void task2_unixEchoServer() throws Exception {
        dir = Names.privateDirectory("lab5");
        SocketAddress address;
        try (EchoServer server = EchoServer.unix(dir)) {
            address = server.address();
            assertInstanceOf(UnixDomainSocketAddress.class, address, "address of a Unix domain server");
            Path file = ((UnixDomainSocketAddress) address).getPath();
            assertEquals(dir.resolve("echo.sock"), file);
            assertTrue(Files.exists(file), "no socket file at " + file);
            // Two clients at once: the listening socket accepted two connections, each is served on its own.
            try (SocketChannel a = SocketChannel.open(address); SocketChannel b = SocketChannel.open(address)) {
                echoOnce(b, "second client first");
                echoOnce(a, "then the first");
                echoOnce(b, "and again");
            }
        }
        Path file = ((UnixDomainSocketAddress) address).getPath();
        assertFalse(Files.exists(file), "the socket file " + file + " is left behind after close()");
        assertThrows(IOException.class, () -> SocketChannel.open(StandardProtocolFamily.UNIX).connect(address),
                "still accepting connections after close()");
    }

    @Test
    @Timeout(10)
    void task3_tcpEchoServerOnLoopback() throws Exception {
        try (EchoServer server = EchoServer.tcp()) {
            InetSocketAddress address = assertInstanceOf(InetSocketAddress.class, server.address(), "address of a TCP server");
            assertTrue(address.getAddress().isLoopbackAddress(), "listening on " + address + ": bind to the loopback address only");
            assertTrue(address.getPort() > 0, "port");
            try (SocketChannel a = SocketChannel.open(address); SocketChannel b = SocketChannel.open(address)) {
                echoOnce(a, "over tcp");
                echoOnce(b, "a second connection");
            }
        }
    }

    @Test
    @Timeout(10)
    void task4_udpKeepsBoundaries() throws Exception {
        try (UdpEcho echo = UdpEcho.start(); DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            InetSocketAddress address = assertInstanceOf(InetSocketAddress.class, echo.address());
            assertTrue(address.getAddress().isLoopbackAddress(), "bound to " + address + ": use loopback");
            client.setSoTimeout(3000);
            int[] sizes = {10, 20, 30};
            for (int s : sizes) client.send(new DatagramPacket(new byte[s], s, address));
            for (int s : sizes) {
                DatagramPacket p = new DatagramPacket(new byte[1000], 1000);
                try {
                    client.receive(p);
                } catch (java.net.SocketTimeoutException e) {
                    throw new AssertionError("no echo of the " + s + "-byte datagram within 3 s");
                }
                assertEquals(s, p.getLength(), "datagram sizes: each send must come back as one datagram of the same size");
            }
        }
    }
}
