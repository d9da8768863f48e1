package org.ipclab.labs.lab5;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * Lab 5, tasks 2 and 3: a stream echo server, once on a Unix domain socket (a file name is the address),
 * once on TCP (an IP address and a port). The LISTENING socket only accepts; every accepted client
 * gets its OWN socket, served by its own thread here.
 *
 * <p>{@code ./ipc lab run 5 EchoServer unix} (or {@code tcp}) prints its address and echoes until Enter is pressed;
 * talk to it with {@code nc -U PATH} or {@code nc 127.0.0.1 PORT}.
 */
public final class EchoServer implements AutoCloseable {
    private final ServerSocketChannel listener;
    private final Path socketFile; // null for TCP
    private final Thread acceptor;

    private EchoServer(ServerSocketChannel listener, Path socketFile) {
        this.listener = listener;
        this.socketFile = socketFile;
        this.acceptor = new Thread(this::acceptLoop, "echo-acceptor");
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    /** Task 2: listens on the Unix domain socket {@code dir/echo.sock}. */
    public static EchoServer unix(Path dir) throws IOException {
        Path file = dir.resolve("echo.sock");
        // TODO(lab5) task 2: ServerSocketChannel.open(StandardProtocolFamily.UNIX), bind(UnixDomainSocketAddress.of(file)),
        //   return new EchoServer(listener, file).
        throw new UnsupportedOperationException("TODO(lab5): EchoServer.unix");
    }

    /** Task 3: listens on TCP, loopback only, on a port the kernel picks. */
    public static EchoServer tcp() throws IOException {
        // TODO(lab5) task 3: ServerSocketChannel.open(), bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)),
        //   return new EchoServer(listener, null). (Binding to 0.0.0.0 would let the whole network in.)
        throw new UnsupportedOperationException("TODO(lab5): EchoServer.tcp");
    }

    public SocketAddress address() throws IOException {
        return listener.getLocalAddress();
    }

    private void acceptLoop() {
        // TODO(lab5) task 2: while the listener is open: SocketChannel client = listener.accept();
        //   start a thread running serve(client). accept() throws once close() closed the listener: then return.
    }

    /** Given: echoes every byte back until the client closes its end. */
    private static void serve(SocketChannel client) {
        try (client) {
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            while (client.read(buf) >= 0) {
                buf.flip();
                while (buf.hasRemaining()) client.write(buf);
                buf.clear();
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    /** Stops listening and, for a Unix socket, removes the socket file (the kernel does not). */
    @Override
    public void close() throws IOException {
        listener.close();
        // TODO(lab5) task 2: delete socketFile when there is one.
    }

    public static void main(String[] args) throws Exception {
        Path dir = org.ipclab.core.Names.privateDirectory("lab5");
        try (EchoServer s = args.length > 0 && args[0].equals("tcp") ? tcp() : unix(dir)) {
            System.out.println("echo server on " + s.address() + "; press Enter to stop");
            System.in.read();
        } finally {
            java.nio.file.Files.deleteIfExists(dir);
        }
    }
}
