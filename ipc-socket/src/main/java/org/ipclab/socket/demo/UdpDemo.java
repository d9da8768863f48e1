package org.ipclab.socket.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.ipclab.core.BadInputException;
import org.ipclab.core.Demo;
import org.ipclab.core.MessageTooLargeException;

/**
 * {@code ipc demo udp}: datagrams keep their boundaries where a TCP byte stream merges them; a
 * datagram over 65,507 bytes cannot be sent; a datagram bigger than the receive buffer is cut;
 * and a receiver that falls behind loses datagrams silently (counted in /proc/net/snmp).
 *
 * <p>How to run and what you should see: {@code ipc demo udp}. Three sends of 1, 2 and 3 bytes
 * arrive as three UDP receives but as one 6-byte TCP read; 65,508 bytes fail with EMSGSIZE; a burst
 * into a 4 KiB receive buffer loses most datagrams and RcvbufErrors grows by as many.
 */
public final class UdpDemo implements Demo {
    @Override
    public String name() {
        return "udp";
    }

    @Override
    public String summary() {
        return "UDP: datagram boundaries vs the TCP byte stream, the 65,507-byte limit, truncation, silent loss";
    }

    @Override
    public int run(List<String> args, PrintStream out) throws Exception {
        if (!args.isEmpty()) throw new BadInputException("ipc demo udp takes no arguments, got " + args);
        int failures = 0;
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (DatagramChannel a = DatagramChannel.open(); DatagramChannel b = DatagramChannel.open()) {
            a.bind(new InetSocketAddress(lo, 0));
            b.bind(new InetSocketAddress(lo, 0));
            a.connect(b.getLocalAddress());
            b.connect(a.getLocalAddress());

            out.println("0. both sockets are connect()ed to each other. For UDP, connect(2) sends nothing: it sets the default");
            out.println("   destination (so write() needs no address), the kernel then drops datagrams from any other address, and an");
            out.println("   ICMP port-unreachable for what we sent comes back as ECONNREFUSED on a later call (udp(7)).");
            out.println();
            out.println("1. boundaries: send \"a\", \"bb\", \"ccc\" as three datagrams, then read");
            for (String s : new String[] {"a", "bb", "ccc"}) a.write(ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer in = ByteBuffer.allocate(70_000);
            StringBuilder got = new StringBuilder();
            for (int i = 0; i < 3; i++) {
                in.clear();
                b.read(in);
                got.append(i == 0 ? "" : ", ").append('"').append(new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII)).append('"');
            }
            out.println("   UDP: three receives: " + got + "  - one send, one datagram");
            boolean udpOk = got.toString().equals("\"a\", \"bb\", \"ccc\"");
            if (!udpOk) failures++;
            String tcp = tcpRead(lo);
            out.println("   TCP: the same three writes, one read: \"" + tcp + "\"  - a byte stream has no boundaries;");
            out.println("        ipclab puts a 4-byte length before each message on streams (docs/wire-format.md)");

            out.println();
            out.println("2. the size limit: 65,535 (IP length field) - 20 (IPv4 header) - 8 (UDP header) = 65,507 bytes");
            out.println("   send 65,507 bytes: " + a.write(ByteBuffer.allocate(65_507)) + " bytes sent");
            in.clear();
            b.read(in);
            try {
                a.write(ByteBuffer.allocate(65_508));
                out.println("   send 65,508 bytes: sent?! (unexpected)");
                failures++;
            } catch (IOException e) {
                out.println("   send 65,508 bytes: " + e.getMessage() + "  (EMSGSIZE: the kernel refuses, nothing is sent)");
            }
            try {
                org.ipclab.core.Providers.get("udp");
                throw new MessageTooLargeException("udp", 65_508, 65_507);
            } catch (MessageTooLargeException e) {
                out.println("   through ipclab's udp channel the same send is refused before the kernel: \"" + e.getMessage() + "\"");
            }

            out.println();
            out.println("3. truncation: a 100-byte datagram read into a 10-byte buffer");
            a.write(ByteBuffer.allocate(100));
            ByteBuffer small = ByteBuffer.allocate(10);
            b.read(small);
            a.write(ByteBuffer.wrap(new byte[] {42}));
            in.clear();
            b.read(in);
            out.println("   got " + small.position() + " bytes; the other 90 are gone (the next read returns the next datagram: "
                    + in.position() + " byte). ipclab reads into a buffer one byte larger than the maximum to notice.");

            out.println();
            out.println("4. loss: the receiver's SO_RCVBUF set to 4 KiB, then a burst of 1,000 datagrams of 1 KiB, then we read");
            b.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
            long errorsBefore = rcvbufErrors();
            for (int i = 0; i < 1000; i++) a.write(ByteBuffer.allocate(1024));
            b.configureBlocking(false);
            int received = 0;
            while (true) {
                in.clear();
                if (b.read(in) <= 0) break;
                received++;
            }
            long dropped = rcvbufErrors() - errorsBefore;
            out.println("   the kernel set SO_RCVBUF to " + 2 * b.getOption(StandardSocketOptions.SO_RCVBUF) + " bytes: it doubles requests (the JDK reports half, ss -m shows it)");
            out.println("   received " + received + " of 1000; /proc/net/snmp Udp RcvbufErrors grew by " + dropped
                    + " (all hosts' sockets count there). The sender was told nothing.");
            if (received >= 1000) failures++;
        }
        out.println();
        out.println(failures == 0 ? "Every step showed what it should." : failures + " step(s) did not show what they should (see above).");
        return failures == 0 ? 0 : 1;
    }

    private static String tcpRead(InetAddress lo) throws Exception {
        try (ServerSocketChannel l = ServerSocketChannel.open()) {
            l.bind(new InetSocketAddress(lo, 0), 1);
            try (SocketChannel c = SocketChannel.open(l.getLocalAddress()); SocketChannel s = l.accept()) {
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                for (String x : new String[] {"a", "bb", "ccc"}) c.write(ByteBuffer.wrap(x.getBytes(StandardCharsets.US_ASCII)));
                Thread.sleep(50);
                ByteBuffer in = ByteBuffer.allocate(64);
                s.read(in);
                return new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII);
            }
        }
    }

    /** Udp: ... RcvbufErrors from /proc/net/snmp (header line, then value line). */
    static long rcvbufErrors() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/net/snmp"));
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).startsWith("Udp:") && lines.get(i + 1).startsWith("Udp:")) {
                String[] names = lines.get(i).split("\\s+");
                String[] values = lines.get(i + 1).split("\\s+");
                for (int k = 0; k < names.length; k++) if (names[k].equals("RcvbufErrors")) return Long.parseLong(values[k]);
            }
        }
        return -1;
    }
}
