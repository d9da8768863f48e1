package org.ipclab.socket.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Locale;

import org.ipclab.core.BadInputException;
import org.ipclab.core.Demo;

/**
 * {@code ipc demo tcp}: a TCP connection's life as the kernel lists it in /proc/net/tcp
 * (LISTEN, ESTABLISHED on both ends, FIN_WAIT2/CLOSE_WAIT, TIME_WAIT), the listening socket and
 * the accepted one being different sockets, and Nagle's algorithm on vs off for small messages.
 *
 * <p>How to run and what you should see: {@code ipc demo tcp}. With Nagle on (the TCP default), a
 * request written in two small pieces waits for the ACK of the first piece, which the receiver
 * delays (delayed ACK, ~40 ms on Linux): round trips of tens of milliseconds instead of tens of
 * microseconds. TCP_NODELAY (ipclab's default, {@code --opt no-delay=false} to turn Nagle back on)
 * sends each piece at once.
 */
public final class TcpDemo implements Demo {
    private static final int NAGLE_ROUNDS = 10;

    @Override
    public String name() {
        return "tcp";
    }

    @Override
    public String summary() {
        return "TCP: connection states from /proc/net/tcp, listening vs accepted socket, Nagle on vs off";
    }

    @Override
    public int run(List<String> args, PrintStream out) throws Exception {
        if (!args.isEmpty()) throw new BadInputException("ipc demo tcp takes no arguments, got " + args);
        int failures = 0;
        InetAddress lo = InetAddress.getByName("127.0.0.1"); // IPv4 sockets: listed in /proc/net/tcp (dual-stack ones go to tcp6)
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            listener.bind(new InetSocketAddress(lo, 0), 1);
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            out.println("1. socket + bind(127.0.0.1:" + port + ") + listen: loopback only, other hosts cannot reach it");
            failures += show(out, port, "LISTEN");

            out.println();
            out.println("2. connect(): three-way handshake; accept() returns a second socket for this one connection");
            SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET);
            client.connect(new InetSocketAddress(lo, port));
            SocketChannel accepted = listener.accept();
            failures += show(out, port, "ESTABLISHED");
            out.println("   (LISTEN keeps waiting for more clients; each accepted connection is its own socket)");

            out.println();
            out.println("3. Nagle's algorithm: a request written in two small pieces, the answer awaited, " + NAGLE_ROUNDS + " times");
            Thread echo = echoPairs(accepted);
            double nagle = twoPieceRounds(client, false);
            double noDelay = twoPieceRounds(client, true);
            client.shutdownOutput();
            echo.join(5000);
            out.printf(Locale.ROOT, "   Nagle on  (TCP_NODELAY=false): %8.1f us per round trip%n", nagle);
            out.printf(Locale.ROOT, "   Nagle off (TCP_NODELAY=true):  %8.1f us per round trip%n", noDelay);
            out.println(nagle > 5 * noDelay
                    ? "   the second piece waited for the ACK of the first, which the receiver delayed: that is the gap."
                    : "   (no large gap this time: the kernel acknowledged quickly - quick-ack mode; try again)");

            out.println();
            out.println("4. close(): the side that closes first goes FIN_WAIT2 -> TIME_WAIT; the other sits in CLOSE_WAIT until it closes too");
            client.close();
            Thread.sleep(100);
            failures += show(out, port, "CLOSE_WAIT");
            accepted.close();
            Thread.sleep(100);
            failures += show(out, port, "TIME_WAIT");
            out.println("   This TIME_WAIT is the client's socket (it closed first), on its ephemeral port: for 60 s on Linux the kernel");
            out.println("   keeps that address pair so that a late segment of this connection is not taken for a new one. A server that");
            out.println("   closes first keeps its own port in TIME_WAIT: why servers set SO_REUSEADDR before bind(2) to restart at once.");
        }
        out.println();
        out.println(failures == 0 ? "Every step showed what it should." : failures + " step(s) did not show what they should (see above).");
        return failures == 0 ? 0 : 1;
    }

    private static int show(PrintStream out, int port, String expected) throws IOException {
        List<String> lines = ProcView.tcpStates(port);
        out.println("   /proc/net/tcp (local -> remote state):");
        for (String l : lines) out.println("     " + l);
        boolean seen = lines.stream().anyMatch(l -> l.endsWith(expected));
        if (!seen) out.println("   expected a socket in state " + expected + ": NOT SEEN");
        return seen ? 0 : 1;
    }

    /** Server side: reads two 1-byte pieces, answers with 2 bytes; until end of stream. */
    private static Thread echoPairs(SocketChannel s) {
        Thread t = new Thread(() -> {
            ByteBuffer b = ByteBuffer.allocate(2);
            try {
                while (true) {
                    b.clear();
                    while (b.hasRemaining()) if (s.read(b) < 0) return;
                    b.flip();
                    s.write(b);
                }
            } catch (IOException ignored) {
                // closed
            }
        }, "demo-tcp-echo");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static double twoPieceRounds(SocketChannel c, boolean noDelay) throws IOException {
        c.setOption(StandardSocketOptions.TCP_NODELAY, noDelay);
        ByteBuffer one = ByteBuffer.allocate(1);
        ByteBuffer reply = ByteBuffer.allocate(2);
        long start = System.nanoTime();
        for (int i = 0; i < NAGLE_ROUNDS; i++) {
            c.write(one.clear());
            c.write(one.clear());
            reply.clear();
            while (reply.hasRemaining()) c.read(reply);
        }
        return (System.nanoTime() - start) / 1000.0 / NAGLE_ROUNDS;
    }
}
