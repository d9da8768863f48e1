package org.ipclab.socket;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.ipclab.core.BadInputException;
import org.ipclab.core.Capability;
import org.ipclab.core.Channel;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.IpcException;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.MechanismOption;
import org.ipclab.core.ServerEnd;
import org.ipclab.core.io.IoRoute;

/**
 * UDP over loopback (or a chosen address): datagrams, boundaries kept, and the only ipclab
 * mechanism allowed to lose or reorder messages — no RELIABLE, no ORDERED capability. On one host
 * loss happens when the receiver's socket buffer is full: the kernel drops the datagram and counts
 * it in {@code /proc/net/snmp} (Udp: RcvbufErrors); the sender is not told.
 *
 * <p>The channel itself is a plain datagram channel; the peer protocol acknowledges its own control
 * messages over it ({@code org.ipclab.core.reliable.AckedChannel}), so that a run with loss still
 * ends with the peer's STATS instead of a timeout.
 *
 * <p>One server socket serves client after client: each {@link ServerEnd#accept} waits for a JOIN,
 * connects the socket to its sender (the kernel then drops everyone else's datagrams) and the
 * channel's close disconnects it again for the next JOIN.
 *
 * <p>In a fan-in run ({@link ChannelSpec#FAN_IN_WRITERS}) the socket stays unconnected: the first
 * JOIN opens the one channel, which then receives every writer's datagrams, and a writer's connect
 * sends its JOIN without waiting for an answer (none comes: the channel has no one peer to send
 * to). Loss under N writers is the receive buffer overflowing; each writer's count shows it.
 */
public final class UdpProvider implements ChannelProvider {
    static final String NAME = "udp";
    /** 65,535 (IP total length) − 20 (IPv4 header) − 8 (UDP header). */
    static final int MAX_PAYLOAD = 65_507;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public MechanismInfo describe(ChannelSpec spec) {
        return MechanismInfo.builder(NAME)
                .description("UDP datagram socket, loopback by default; may lose and reorder (loss is reported, not fatal)")
                .capabilities(Capability.BIDIRECTIONAL, Capability.MESSAGE_BOUNDARIES, Capability.CROSS_HOST, Capability.NON_BLOCKING_TRY,
                        Capability.FAN_IN)
                .maxMessageSize(MAX_PAYLOAD)
                .options(MechanismOption.host("host", "127.0.0.1", "address to bind (server) or send to (client); not loopback: a warning").withShortcut("--host", "--bind"),
                        MechanismOption.port("port", "0", "UDP port; 0 lets the kernel choose a free one").withShortcut(),
                        MechanismOption.size("sndbuf", null, "SO_SNDBUF request in bytes (the result shows what the kernel set)"),
                        MechanismOption.size("rcvbuf", null, "SO_RCVBUF request in bytes; a small one shows loss quickly"), IoRoute.option())
                .peerJvmFlags(IoRoute.jvmFlags(spec))
                .nativeProgram("udp")
                .build();
    }

    @Override
    public ServerEnd open(ChannelSpec spec) throws IOException {
        IoRoute.of(spec); // refuses io=ffm where it cannot run before anything is created
        DatagramAccept.fanInWriters(spec); // and a bad writer count
        InetAddress host = address(spec.option("host", "127.0.0.1"));
        int port = port(spec);
        DatagramChannel socket = DatagramChannel.open(family(host));
        try {
            SocketBuffers.apply(socket, spec);
            socket.bind(new InetSocketAddress(host, port));
        } catch (BindException e) {
            socket.close();
            throw new BadInputException("udp port " + port + " on " + host.getHostAddress() + " is in use or not bindable ("
                    + e.getMessage() + "); choose another with --opt port=N, or 0 for any free port");
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        if (!host.isLoopbackAddress()) {
            System.err.println("ipc: warning: udp listens on " + host.getHostAddress() + ", reachable from other hosts");
        }
        return new Server(spec, socket);
    }

    @Override
    public Channel connect(ChannelSpec spec, Duration timeout) throws IOException {
        IoRoute route = IoRoute.of(spec);
        boolean fanIn = DatagramAccept.fanInWriters(spec) > 0;
        InetAddress host = address(spec.option("host", "127.0.0.1"));
        int port = port(spec);
        if (port == 0) throw new BadInputException("udp connect needs a port (--opt port=N)");
        DatagramChannel socket = DatagramChannel.open(family(host));
        try {
            SocketBuffers.apply(socket, spec);
            if (host.isLoopbackAddress()) socket.bind(new InetSocketAddress(host, 0));
            socket.connect(new InetSocketAddress(host, port));
        } catch (IOException e) {
            socket.close();
            throw new IpcException("udp connect to " + host.getHostAddress() + ":" + port + " failed: " + e.getMessage(), e);
        }
        ByteBuffer first;
        try {
            // One of N fan-in writers: the server's socket answers no one, so our JOIN only announces us.
            first = DatagramMessageChannel.join(socket, NAME, !fanIn, timeout);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        DatagramMessageChannel channel = route == IoRoute.NIO
                ? new DatagramMessageChannel(NAME, socket, MAX_PAYLOAD, false, false)
                : DatagramMessageChannel.raw(NAME, socket, MAX_PAYLOAD, false, false, route.datagram(socket));
        if (first != null) channel.pushFirst(first);
        return channel;
    }

    private static StandardProtocolFamily family(InetAddress host) {
        return host instanceof java.net.Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }

    static InetAddress address(String host) {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new BadInputException("udp host '" + host + "' is not a known address");
        }
    }

    static int port(ChannelSpec spec) {
        String text = spec.option("port", "0");
        try {
            int port = Integer.parseInt(text);
            if (port < 0 || port > 65535) throw new NumberFormatException();
            return port;
        } catch (NumberFormatException e) {
            throw new BadInputException("udp port '" + text + "' is not a port number (0 .. 65535)");
        }
    }

    private final class Server implements ServerEnd {
        private final ChannelSpec spec;
        private final DatagramChannel socket;
        /** {@link ChannelSpec#FAN_IN_WRITERS}, 0 without it. */
        private final int writers;
        private final InetSocketAddress bound;
        private final Map<String, String> effective = new LinkedHashMap<>();

        Server(ChannelSpec spec, DatagramChannel socket) throws IOException {
            this.spec = spec;
            this.socket = socket;
            this.writers = DatagramAccept.fanInWriters(spec);
            this.bound = (InetSocketAddress) socket.getLocalAddress();
            effective.put("address", bound.getAddress().getHostAddress() + ":" + bound.getPort());
            if (writers > 0) effective.put("fan-in", DatagramAccept.writers(writers) + " into one unconnected socket");
            SocketBuffers.report(socket, spec, effective);
            effective.put("max message", Integer.toString(MAX_PAYLOAD));
        }

        @Override
        public ChannelSpec peerSpec() {
            return spec.with("host", bound.getAddress().getHostAddress()).with("port", Integer.toString(bound.getPort()));
        }

        @Override
        public Channel accept(Duration timeout, Optional<Process> peer) throws IOException {
            ByteBuffer first = ByteBuffer.allocateDirect(MAX_PAYLOAD + 1).order(ByteOrder.LITTLE_ENDIAN);
            // A client introduces itself with JOIN (repeated until answered); stray datagrams — a
            // previous client's late ones included — are ignored.
            SocketAddress from = DatagramAccept.firstDatagram(socket, first, NAME, timeout, peer, DatagramMessageChannel::isJoin);
            if (writers > 0) return sharedChannel(from);
            socket.connect(from);
            List<ByteBuffer> early = DatagramAccept.dropStrangers(socket, first, from::equals);
            effective.put("peer", from.toString());
            IoRoute route = IoRoute.of(spec);
            effective.put(IoRoute.OPTION, route.label());
            DatagramMessageChannel channel = route == IoRoute.NIO
                    ? new DatagramMessageChannel(NAME, socket, MAX_PAYLOAD, false, true)
                    : DatagramMessageChannel.raw(NAME, socket, MAX_PAYLOAD, false, true, route.datagram(socket));
            channel.keepSocketOpen(socket::disconnect);
            early.forEach(channel::pushFirst);
            channel.describedAs(from.toString());
            channel.sendLaneQuietly(DatagramMessageChannel.JOIN_ACK_MAGIC, 0);
            peer.ifPresent(p -> p.onExit().thenRun(() -> channel.peerGone("peer (pid " + p.pid() + ") exited")));
            return channel;
        }

        /** The fan-in channel: the socket stays unconnected, every writer's datagrams (after the first JOIN) arrive on it. */
        private Channel sharedChannel(SocketAddress first) throws IOException {
            IoRoute route = IoRoute.of(spec);
            effective.put(IoRoute.OPTION, route.label());
            effective.put("peer", DatagramAccept.writers(writers) + ", the first from " + first);
            DatagramMessageChannel channel = route == IoRoute.NIO
                    ? new DatagramMessageChannel(NAME, socket, MAX_PAYLOAD, false, false)
                    : DatagramMessageChannel.raw(NAME, socket, MAX_PAYLOAD, false, false, route.datagram(socket));
            channel.sharedByWriters(writers);
            channel.keepSocketOpen(() -> { }); // the server end closes it; nothing was connected
            channel.describedAs(DatagramAccept.writers(writers) + " (fan-in)");
            return channel;
        }

        @Override
        public Map<String, String> effectiveParameters() {
            return effective;
        }

        @Override
        public List<String> createdObjects() {
            return List.of("udp:" + bound.getAddress().getHostAddress() + ":" + bound.getPort());
        }

        @Override
        public void close() {
            Listener.closeQuietly(socket);
        }
    }
}
