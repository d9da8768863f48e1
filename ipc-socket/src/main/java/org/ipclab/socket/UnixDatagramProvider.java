package org.ipclab.socket;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
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
import org.ipclab.core.Names;
import org.ipclab.core.ServerEnd;
import org.ipclab.core.io.IoRoute;
import org.newsclub.net.unix.AFSocketType;
import org.newsclub.net.unix.AFUNIXDatagramChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * Unix {@code SOCK_DGRAM} (junixsocket): connectionless, message boundaries kept — and, unlike UDP,
 * reliable and ordered: a sender whose peer's queue is full blocks instead of losing the datagram.
 *
 * <p>Both ends bind an address (the client's: a socket file in its own private directory, or an
 * abstract name), because replies need somewhere to go. The server learns the client's address from
 * the first datagram and connects to it. There is no connection, so no end of stream: a peer that
 * dies is noticed when a send is refused ({@code ECONNREFUSED}) or, on the side that started it,
 * when its process exits. Datagram sockets carry no SO_PEERCRED; the server checks the owner of the
 * client's socket file instead (abstract names have no owner: see docs/mechanisms/socket.md).
 *
 * <p>One server socket serves client after client: the channel's close disconnects it, and the next
 * {@link ServerEnd#accept} waits for the next JOIN (a refused sender leaves it unconnected).
 */
public final class UnixDatagramProvider implements ChannelProvider {
    static final String NAME = "unix-dgram";
    /** Our cap; the kernel's is about the sender's SO_SNDBUF (~208 KiB by default). */
    static final int MAX_MESSAGE = 64 * 1024;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public MechanismInfo describe(ChannelSpec spec) {
        return MechanismInfo.builder(NAME)
                .description("Unix domain SOCK_DGRAM (junixsocket): connectionless, reliable on one host, message boundaries kept")
                .capabilities(Capability.BIDIRECTIONAL, Capability.MESSAGE_BOUNDARIES, Capability.RELIABLE, Capability.ORDERED, Capability.NAMED, Capability.NON_BLOCKING_TRY, Capability.CHECKS_PEER_UID)
                .maxMessageSize(MAX_MESSAGE)
                .options(UnixEndpoint.options())
                .options(IoRoute.option())
                .peerJvmFlags(IoRoute.jvmFlags(spec))
                .nativeProgram("unix-dgram")
                .unavailableBecause(() -> Junix.unavailableBecause())
                .build();
    }

    @Override
    public ServerEnd open(ChannelSpec spec) throws IOException {
        IoRoute.of(spec); // refuses io=ffm where it cannot run before anything is created
        UnixEndpoint endpoint = UnixEndpoint.forServer(spec, NAME, AFSocketType.SOCK_DGRAM);
        AFUNIXDatagramChannel socket = AFUNIXDatagramChannel.open();
        try {
            SocketBuffers.apply(socket, spec);
            socket.bind(endpoint.address);
            endpoint.restrict();
        } catch (IOException e) {
            socket.close();
            endpoint.remove();
            throw new BadInputException("cannot bind Unix datagram socket " + endpoint.describe() + ": " + e.getMessage());
        }
        return new Server(spec, socket, endpoint);
    }

    @Override
    public Channel connect(ChannelSpec spec, Duration timeout) throws IOException {
        IoRoute route = IoRoute.of(spec);
        AFUNIXSocketAddress server = UnixEndpoint.forClient(spec, NAME);
        AFUNIXDatagramChannel socket = AFUNIXDatagramChannel.open();
        Path dir = null;
        try {
            AFUNIXSocketAddress me;
            if (spec.flag("abstract", false)) {
                me = UnixEndpoint.abstractAddress(Names.unique("unixdgramc"));
            } else {
                dir = Names.privateDirectory("unixdgramc");
                me = AFUNIXSocketAddress.of(dir.resolve("c.sock"));
            }
            SocketBuffers.apply(socket, spec);
            socket.bind(me);
            socket.connect(server);
            DatagramMessageChannel.join(socket, NAME, false, timeout); // reliable here: no answer needed
        } catch (IOException | RuntimeException e) {
            socket.close();
            removeClientDir(dir);
            throw new IpcException(NAME + " connect to " + Junix.describe(server) + " failed: " + e.getMessage());
        }
        Path ownDir = dir;
        AutoCloseable removeDir = () -> removeClientDir(ownDir);
        return route == IoRoute.NIO
                ? new DatagramMessageChannel(NAME, socket, MAX_MESSAGE, false, false, socket.socket(), removeDir)
                : DatagramMessageChannel.raw(NAME, socket, MAX_MESSAGE, false, false, route.datagram(Junix.fd(socket)), removeDir);
    }

    static void removeClientDir(Path dir) throws IOException {
        if (dir == null) return;
        Files.deleteIfExists(dir.resolve("c.sock"));
        Files.deleteIfExists(dir);
    }

    private final class Server implements ServerEnd {
        private final ChannelSpec spec;
        private final AFUNIXDatagramChannel socket;
        private final UnixEndpoint endpoint;
        private final Map<String, String> effective = new LinkedHashMap<>();
        private volatile Path clientDir;

        Server(ChannelSpec spec, AFUNIXDatagramChannel socket, UnixEndpoint endpoint) throws IOException {
            this.spec = spec;
            this.socket = socket;
            this.endpoint = endpoint;
            effective.put("address", endpoint.describe());
            SocketBuffers.report(socket, spec, effective);
            effective.put("max message", Integer.toString(MAX_MESSAGE));
        }

        @Override
        public ChannelSpec peerSpec() {
            return endpoint.peerSpec(spec);
        }

        @Override
        public Channel accept(Duration timeout, Optional<Process> peer) throws IOException {
            ByteBuffer first = ByteBuffer.allocateDirect(MAX_MESSAGE + 1);
            SocketAddress from = DatagramAccept.firstDatagram(socket, first, NAME, timeout, peer, DatagramMessageChannel::isJoin);
            AFUNIXSocketAddress client = exact((AFUNIXSocketAddress) from);
            effective.put("peer", checkSender(client));
            socket.connect(client);
            IoRoute route = IoRoute.of(spec);
            effective.put(IoRoute.OPTION, route.label());
            DatagramMessageChannel channel = route == IoRoute.NIO
                    ? new DatagramMessageChannel(NAME, socket, MAX_MESSAGE, false, false, socket.socket())
                    : DatagramMessageChannel.raw(NAME, socket, MAX_MESSAGE, false, false, route.datagram(Junix.fd(socket)));
            channel.keepSocketOpen(() -> UnixDisconnect.disconnect(socket)); // the next accept waits for the next client's JOIN
            peer.ifPresent(p -> p.onExit().thenRun(() -> channel.peerGone("peer (pid " + p.pid() + ") exited")));
            return channel;
        }

        /** junixsocket reports an abstract sender padded with NULs to 108 bytes; connect needs the exact name. */
        private AFUNIXSocketAddress exact(AFUNIXSocketAddress a) throws IOException {
            if (a == null) throw new IpcException(NAME + " accept: the first datagram came from an unbound socket; cannot reply");
            if (!a.isInAbstractNamespace()) return a;
            byte[] b = a.getPathAsBytes();
            int end = b.length;
            while (end > 1 && b[end - 1] == 0) end--;
            return AFUNIXSocketAddress.of(java.util.Arrays.copyOf(b, end));
        }

        /** No SO_PEERCRED on datagram sockets: the sender's socket file must belong to our uid. */
        private String checkSender(AFUNIXSocketAddress client) throws IOException {
            if (client.isInAbstractNamespace()) return Junix.describe(client) + " (abstract: no owner to check)";
            Path p = Path.of(client.getPath());
            long owner = ((Number) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
            long me = PeerCheck.myUid();
            if (owner != me) {
                throw new IpcException(NAME + ": refused a datagram from " + p + ", a socket of uid " + owner + ": only uid " + me + " may talk to us");
            }
            if (p.getParent() != null && Names.creatorPid(p.getParent().getFileName().toString()).isPresent()) clientDir = p.getParent();
            return p + " (uid " + owner + ")";
        }

        @Override
        public Map<String, String> effectiveParameters() {
            return effective;
        }

        @Override
        public List<String> createdObjects() {
            return endpoint.createdObjects();
        }

        @Override
        public void close() throws IOException {
            Listener.closeQuietly(socket);
            endpoint.remove();
            // A peer killed before it could clean up leaves its private directory: remove it when its creator is gone.
            Path dir = clientDir;
            if (dir != null && Names.isStale(dir.getFileName().toString())) removeClientDir(dir);
        }
    }
}
