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
import org.ipclab.core.Units;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.MechanismOption;
import org.ipclab.core.Names;
import org.ipclab.core.ServerEnd;
import org.ipclab.core.io.IoRoute;
import org.newsclub.net.unix.AFSocketType;
import org.newsclub.net.unix.AFUNIXDatagramChannel;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.FileDescriptorCast;

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
 *
 * <p>In a fan-in run ({@link ChannelSpec#FAN_IN_WRITERS}) the socket stays unconnected: the first
 * JOIN (its sender's uid checked) opens the one channel, which then receives every writer's
 * datagrams, and a writer connects at once instead of waiting for the server to be free. Only the
 * first writer's uid is checked; the socket file is owner-only (0600) and in path mode nobody else
 * can send to it (an abstract name has no owner either way). A full queue still blocks each writer:
 * nothing is lost.
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
                .capabilities(Capability.BIDIRECTIONAL, Capability.MESSAGE_BOUNDARIES, Capability.RELIABLE, Capability.ORDERED, Capability.NAMED, Capability.NON_BLOCKING_TRY, Capability.CHECKS_PEER_UID,
                        Capability.FAN_IN)
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
        DatagramAccept.fanInWriters(spec); // and a bad writer count
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
            if (DatagramAccept.fanInWriters(spec) > 0) socket.connect(server); // the server stays unconnected: never busy
            else connectWhenFree(socket, server, timeout);
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

    /**
     * A server busy with another client is connected to it, and the kernel refuses everyone else
     * with EPERM ({@code unix_may_send}): wait for it to be free, within the timeout.
     */
    private static void connectWhenFree(AFUNIXDatagramChannel socket, AFUNIXSocketAddress server, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + Units.nanos(timeout);
        while (true) {
            try {
                socket.connect(server);
                return;
            } catch (java.net.SocketException e) {
                boolean busy = String.valueOf(e.getMessage()).contains("Operation not permitted");
                if (!busy || System.nanoTime() - deadline >= 0) {
                    throw busy ? new IpcException("the server is busy with another client (EPERM) for all of " + Units.format(timeout)) : e;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
            }
        }
    }

    static void removeClientDir(Path dir) throws IOException {
        if (dir == null) return;
        Files.deleteIfExists(dir.resolve("c.sock"));
        Files.deleteIfExists(dir);
    }

    private final class Server implements ServerEnd {
        private final ChannelSpec spec;
        private volatile AFUNIXDatagramChannel socket;
        /**
         * A second descriptor of the same kernel socket. junixsocket closes a descriptor whose
         * send fails with ECONNREFUSED (a client that died mid-session): this one keeps the socket,
         * its address and its queue alive, and the next accept carries on from a fresh copy of it.
         */
        private final AFUNIXDatagramSocket spare;
        private final UnixEndpoint endpoint;
        /** {@link ChannelSpec#FAN_IN_WRITERS}, 0 without it. */
        private final int writers;
        private final Map<String, String> effective = new LinkedHashMap<>();
        private volatile Path clientDir;
        /** Senders refused lately: their further JOINs (a flood, JOINs queued behind the first) are dropped unanswered. */
        private final java.util.Set<SocketAddress> refused = java.util.Collections.newSetFromMap(
                new java.util.LinkedHashMap<SocketAddress, Boolean>() {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<SocketAddress, Boolean> eldest) {
                        return size() > 256; // a bound: a stranger with more sockets than this costs a line each
                    }
                });

        Server(ChannelSpec spec, AFUNIXDatagramChannel socket, UnixEndpoint endpoint) throws IOException {
            this.spec = spec;
            this.socket = socket;
            this.spare = FileDescriptorCast.duplicating(socket.socket().getFileDescriptor()).as(AFUNIXDatagramSocket.class);
            this.endpoint = endpoint;
            this.writers = DatagramAccept.fanInWriters(spec);
            effective.put("address", endpoint.describe());
            if (writers > 0) effective.put("fan-in", DatagramAccept.writers(writers) + " into one unconnected socket");
            SocketBuffers.report(socket, spec, effective);
            effective.put("max message", Integer.toString(MAX_MESSAGE));
        }

        @Override
        public ChannelSpec peerSpec() {
            return endpoint.peerSpec(spec);
        }

        @Override
        public Channel accept(Duration timeout, Optional<Process> peer) throws IOException {
            AFUNIXDatagramChannel socket = usableSocket();
            ByteBuffer first = ByteBuffer.allocateDirect(MAX_MESSAGE + 1);
            SocketAddress from = DatagramAccept.firstDatagram(socket, first, NAME, timeout, peer,
                    (sender, b) -> DatagramMessageChannel.isJoin(b) && !refused.contains(sender));
            AFUNIXSocketAddress client;
            String who;
            try {
                client = exact((AFUNIXSocketAddress) from);
                who = checkSender(client);
            } catch (IOException e) {
                refused.add(from); // one line about it, not one per datagram it sends
                throw e;
            }
            if (writers > 0) return sharedChannel(socket, who);
            effective.put("peer", who);
            socket.connect(client);
            List<ByteBuffer> early = DatagramAccept.dropStrangers(socket, first, a -> a instanceof AFUNIXSocketAddress u && sameAddress(u, client));
            IoRoute route = IoRoute.of(spec);
            effective.put(IoRoute.OPTION, route.label());
            DatagramMessageChannel channel = route == IoRoute.NIO
                    ? new DatagramMessageChannel(NAME, socket, MAX_MESSAGE, false, false, socket.socket())
                    : DatagramMessageChannel.raw(NAME, socket, MAX_MESSAGE, false, false, route.datagram(Junix.fd(socket)));
            channel.keepSocketOpen(() -> UnixDisconnect.disconnect(socket)); // the next accept waits for the next client's JOIN
            early.forEach(channel::pushFirst);
            channel.describedAs(who);
            peer.ifPresent(p -> p.onExit().thenRun(() -> channel.peerGone("peer (pid " + p.pid() + ") exited")));
            return channel;
        }

        /** The fan-in channel: the socket stays unconnected, every writer's datagrams (after the first JOIN) arrive on it. */
        private Channel sharedChannel(AFUNIXDatagramChannel socket, String first) throws IOException {
            IoRoute route = IoRoute.of(spec);
            effective.put(IoRoute.OPTION, route.label());
            effective.put("peer", DatagramAccept.writers(writers) + ", the first " + first);
            DatagramMessageChannel channel = route == IoRoute.NIO
                    ? new DatagramMessageChannel(NAME, socket, MAX_MESSAGE, false, false, socket.socket())
                    : DatagramMessageChannel.raw(NAME, socket, MAX_MESSAGE, false, false, route.datagram(Junix.fd(socket)));
            channel.sharedByWriters(writers);
            channel.keepSocketOpen(() -> { }); // the server end closes it; nothing was connected
            channel.describedAs(DatagramAccept.writers(writers) + " (fan-in)");
            return channel;
        }

        private boolean sameAddress(AFUNIXSocketAddress a, AFUNIXSocketAddress client) {
            try {
                return java.util.Arrays.equals(exact(a).getPathAsBytes(), client.getPathAsBytes());
            } catch (IOException e) {
                return false;
            }
        }

        /** The server's socket, or a fresh descriptor of it when junixsocket closed the last one under us. */
        private AFUNIXDatagramChannel usableSocket() throws IOException {
            AFUNIXDatagramChannel s = socket;
            if (s.isOpen() && s.socket().getFileDescriptor().valid()) return s;
            Listener.closeQuietly(s);
            AFUNIXDatagramChannel fresh = FileDescriptorCast.duplicating(spare.getFileDescriptor())
                    .as(AFUNIXDatagramSocket.class).getChannel();
            UnixDisconnect.disconnect(fresh); // still connected to the client that is gone
            socket = fresh;
            return fresh;
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
            Listener.closeQuietly(spare);
            endpoint.remove();
            // A peer killed before it could clean up leaves its private directory: remove it when its creator is gone.
            Path dir = clientDir;
            if (dir != null && Names.isStale(dir.getFileName().toString())) removeClientDir(dir);
        }
    }
}
