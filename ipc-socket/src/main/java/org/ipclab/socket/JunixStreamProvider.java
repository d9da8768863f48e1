package org.ipclab.socket;

import java.io.IOException;
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
import org.newsclub.net.unix.AFSocketType;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * Unix domain stream sockets through junixsocket: the same kernel object as the JDK's {@code unix},
 * reached through a different Java route (JNI), so the two can be compared; plus what the JDK
 * cannot do: the abstract namespace and the peer's pid.
 */
public final class JunixStreamProvider implements ChannelProvider {
    static final String NAME = "junix";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public MechanismInfo describe(ChannelSpec spec) {
        return MechanismInfo.builder(NAME)
                .description("Unix domain stream socket (junixsocket), length-prefixed frames; abstract names, peer pid")
                .capabilities(Capability.BIDIRECTIONAL, Capability.RELIABLE, Capability.ORDERED, Capability.NAMED, Capability.NON_BLOCKING_TRY, Capability.CHECKS_PEER_UID,
                        Capability.CONCURRENT_SESSIONS, Capability.FAN_IN)
                .maxMessageSize(Framing.DEFAULT_MAX_MESSAGE)
                .options(UnixEndpoint.options())
                .nativeProgram("unix")
                .unavailableBecause(() -> Junix.unavailableBecause())
                .build();
    }

    @Override
    public ServerEnd open(ChannelSpec spec) throws IOException {
        UnixEndpoint endpoint = UnixEndpoint.forServer(spec, NAME, AFSocketType.SOCK_STREAM);
        AFUNIXServerSocket listener = AFUNIXServerSocket.newInstance();
        try {
            listener.bind(endpoint.address, Listener.BACKLOG);
            endpoint.restrict();
        } catch (IOException e) {
            listener.close();
            endpoint.remove();
            throw new BadInputException("cannot bind Unix socket " + endpoint.describe() + ": " + e.getMessage());
        }
        return new Server(spec, listener, endpoint);
    }

    @Override
    public Channel connect(ChannelSpec spec, Duration timeout) throws IOException {
        AFUNIXSocketAddress address = UnixEndpoint.forClient(spec, NAME);
        AFUNIXSocketChannel socket = AFUNIXSocketChannel.open();
        try {
            SocketBuffers.apply(socket, spec);
            socket.connect(address);
        } catch (IOException e) {
            socket.close();
            throw new IpcException(NAME + " connect to " + Junix.describe(address) + " failed: " + e.getMessage());
        }
        return new StreamChannel(NAME, socket, socket, Framing.DEFAULT_MAX_MESSAGE);
    }

    /** A blocking accept in slices of 100 ms (SO_TIMEOUT), so close() from another thread and the deadline both end it. */
    static AFUNIXSocket accept(AFUNIXServerSocket listener, String mechanism, Duration timeout, Optional<Process> peer) throws IOException {
        listener.setSoTimeout(100);
        return Listener.acceptInSlices(mechanism, timeout, peer, listener::isClosed, listener::accept);
    }

    private final class Server implements ServerEnd {
        private final ChannelSpec spec;
        private final AFUNIXServerSocket listener;
        private final UnixEndpoint endpoint;
        private final Map<String, String> effective = new LinkedHashMap<>();

        Server(ChannelSpec spec, AFUNIXServerSocket listener, UnixEndpoint endpoint) {
            this.spec = spec;
            this.listener = listener;
            this.endpoint = endpoint;
            effective.put("address", endpoint.describe());
        }

        @Override
        public ChannelSpec peerSpec() {
            return endpoint.peerSpec(spec);
        }

        @Override
        public Channel accept(Duration timeout, Optional<Process> peer) throws IOException {
            AFUNIXSocket s = JunixStreamProvider.accept(listener, NAME, timeout, peer);
            AFUNIXSocketChannel ch = s.getChannel();
            String who;
            try {
                who = PeerCheck.require(NAME, ch.getPeerCredentials());
                effective.put("peer", who);
                SocketBuffers.apply(ch, spec);
                SocketBuffers.report(ch, spec, effective);
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
            return new StreamChannel(NAME, ch, ch, Framing.DEFAULT_MAX_MESSAGE).describedAs(who);
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
            Listener.closeQuietly(listener);
            endpoint.remove();
        }
    }
}
