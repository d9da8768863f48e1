package org.ipclab.socket;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.ByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
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
import org.ipclab.core.Framing;
import org.ipclab.core.IpcException;
import org.ipclab.core.IpcTimeoutException;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.MechanismOption;
import org.ipclab.core.ServerEnd;
import org.ipclab.core.StreamChannel;
import org.ipclab.core.io.IoRoute;

/** TCP over loopback (or a chosen address), framed; TCP_NODELAY on unless {@code no-delay=false}. */
public final class TcpProvider implements ChannelProvider {
    static final String NAME = "tcp";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public MechanismInfo describe(ChannelSpec spec) {
        return MechanismInfo.builder(NAME)
                .description("TCP stream socket, loopback by default, length-prefixed frames")
                .capabilities(Capability.BIDIRECTIONAL, Capability.RELIABLE, Capability.ORDERED, Capability.CROSS_HOST,
                        Capability.NON_BLOCKING_TRY, Capability.CONCURRENT_SESSIONS, Capability.FAN_IN)
                .maxMessageSize(Framing.DEFAULT_MAX_MESSAGE)
                .options(MechanismOption.host("host", "127.0.0.1", "address to bind (server) or connect to (client)").withShortcut("--host", "--bind"),
                        MechanismOption.port("port", "0", "TCP port; 0 lets the kernel choose a free one").withShortcut(),
                        MechanismOption.flag("no-delay", true, "TCP_NODELAY: false turns Nagle's algorithm on"),
                        MechanismOption.size("sndbuf", null, "SO_SNDBUF request in bytes (default: the kernel's)"),
                        MechanismOption.size("rcvbuf", null, "SO_RCVBUF request in bytes (default: the kernel's)"), IoRoute.option())
                .peerJvmFlags(IoRoute.jvmFlags(spec))
                .nativeProgram("tcp")
                .build();
    }

    @Override
    public ServerEnd open(ChannelSpec spec) throws IOException {
        IoRoute.of(spec); // refuses io=ffm where it cannot run before anything is created
        InetAddress host = address(spec.option("host", "127.0.0.1"));
        int port = port(spec);
        ServerSocketChannel listener = ServerSocketChannel.open();
        try {
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            listener.bind(new InetSocketAddress(host, port), Listener.BACKLOG);
        } catch (BindException e) {
            listener.close();
            throw new BadInputException("tcp port " + port + " on " + host.getHostAddress() + " is in use or not bindable ("
                    + e.getMessage() + "); choose another with --opt port=N, or 0 for any free port");
        }
        if (!host.isLoopbackAddress()) {
            System.err.println("ipc: warning: tcp listens on " + host.getHostAddress() + ", reachable from other hosts");
        }
        return new TcpServerEnd(spec, listener);
    }

    @Override
    public Channel connect(ChannelSpec spec, Duration timeout) throws IOException {
        IoRoute route = IoRoute.of(spec);
        InetAddress host = address(spec.option("host", "127.0.0.1"));
        int port = port(spec);
        if (port == 0) throw new BadInputException("tcp connect needs a port (--opt port=N)");
        InetSocketAddress target = new InetSocketAddress(host, port);
        SocketChannel socket = SocketChannel.open();
        try {
            configure(socket, spec);
            socket.socket().connect(target, (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis())));
        } catch (ConnectException e) {
            socket.close();
            throw new IpcException("tcp connect to " + host.getHostAddress() + ":" + port + " refused: nobody is listening there");
        } catch (SocketTimeoutException e) {
            socket.close();
            throw new IpcTimeoutException("tcp connect to " + host.getHostAddress() + ":" + port, timeout);
        } catch (IOException e) {
            socket.close();
            throw new IpcException("tcp connect to " + host.getHostAddress() + ":" + port + " failed: " + e.getMessage(), e);
        }
        ByteChannel raw = route.wrap(socket);
        return new StreamChannel(NAME, raw, raw, Framing.DEFAULT_MAX_MESSAGE);
    }

    static void configure(SocketChannel socket, ChannelSpec spec) throws IOException {
        socket.setOption(StandardSocketOptions.TCP_NODELAY, spec.flag("no-delay", true));
        Optional<String> snd = spec.option("sndbuf");
        if (snd.isPresent()) socket.setOption(StandardSocketOptions.SO_SNDBUF, bufferSize("sndbuf", spec));
        Optional<String> rcv = spec.option("rcvbuf");
        if (rcv.isPresent()) socket.setOption(StandardSocketOptions.SO_RCVBUF, bufferSize("rcvbuf", spec));
    }

    private static int bufferSize(String key, ChannelSpec spec) {
        long v = spec.size(key, 0);
        if (v <= 0 || v > Integer.MAX_VALUE) throw new BadInputException(key + " " + v + " is out of range (1 .. " + Integer.MAX_VALUE + ")");
        return (int) v;
    }

    private static InetAddress address(String host) {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new BadInputException("tcp host '" + host + "' is not a known address");
        }
    }

    private static int port(ChannelSpec spec) {
        String text = spec.option("port", "0");
        try {
            int port = Integer.parseInt(text);
            if (port < 0 || port > 65535) throw new NumberFormatException();
            return port;
        } catch (NumberFormatException e) {
            throw new BadInputException("tcp port '" + text + "' is not a port number (0 .. 65535)");
        }
    }

    private final class TcpServerEnd implements ServerEnd {
        private final ChannelSpec spec;
        private final ServerSocketChannel listener;
        private final InetSocketAddress bound;
        private final Map<String, String> effective = new LinkedHashMap<>();

        TcpServerEnd(ChannelSpec spec, ServerSocketChannel listener) throws IOException {
            this.spec = spec;
            this.listener = listener;
            this.bound = (InetSocketAddress) listener.getLocalAddress();
            effective.put("address", bound.getAddress().getHostAddress() + ":" + bound.getPort());
        }

        @Override
        public ChannelSpec peerSpec() {
            return spec.with("host", bound.getAddress().getHostAddress()).with("port", Integer.toString(bound.getPort()));
        }

        @Override
        public Channel accept(Duration timeout, Optional<Process> peer) throws IOException {
            SocketChannel s = Listener.accept(listener, NAME, timeout, peer);
            configure(s, spec);
            effective.put("TCP_NODELAY", String.valueOf(s.getOption(StandardSocketOptions.TCP_NODELAY)));
            SocketBuffers.report(s, spec, effective);
            IoRoute route = IoRoute.of(spec);
            effective.put(IoRoute.OPTION, route.label());
            ByteChannel raw = route.wrap(s);
            return new StreamChannel(NAME, raw, raw, Framing.DEFAULT_MAX_MESSAGE).describedAs(String.valueOf(remote(s)));
        }

        private static String remote(SocketChannel s) {
            try {
                java.net.InetSocketAddress a = (java.net.InetSocketAddress) s.getRemoteAddress();
                return a.getAddress().getHostAddress() + ":" + a.getPort();
            } catch (IOException | RuntimeException e) {
                return "";
            }
        }

        @Override
        public Map<String, String> effectiveParameters() {
            return effective;
        }

        @Override
        public void close() {
            Listener.closeQuietly(listener);
        }
    }
}
