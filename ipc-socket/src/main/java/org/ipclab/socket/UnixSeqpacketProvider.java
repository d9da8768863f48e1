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
import org.ipclab.core.IpcException;
import org.ipclab.core.IpcTimeoutException;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.MechanismOption;
import org.ipclab.core.ServerEnd;
import org.newsclub.net.unix.AFDatagramSocket;
import org.newsclub.net.unix.AFSocketType;
import org.newsclub.net.unix.AFUNIXDatagramChannel;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * Unix {@code SOCK_SEQPACKET} (junixsocket): connection-oriented like a stream — listen, accept,
 * end of stream when the peer closes — but every {@code send} arrives as one message, like a
 * datagram, reliably and in order. No framing header needed.
 */
public final class UnixSeqpacketProvider implements ChannelProvider {
    static final String NAME = "unix-seqpacket";
    /** Our cap; the kernel's is about the socket's send buffer (SO_SNDBUF, ~208 KiB by default). */
    static final int MAX_MESSAGE = 64 * 1024;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public MechanismInfo describe(ChannelSpec spec) {
        return MechanismInfo.builder(NAME)
                .description("Unix domain SOCK_SEQPACKET (junixsocket): connected, reliable, ordered, message boundaries kept")
                .capabilities(Capability.BIDIRECTIONAL, Capability.MESSAGE_BOUNDARIES, Capability.RELIABLE, Capability.ORDERED, Capability.NAMED, Capability.NON_BLOCKING_TRY, Capability.CHECKS_PEER_UID,
                        Capability.CONCURRENT_SESSIONS, Capability.FAN_IN)
                .maxMessageSize(MAX_MESSAGE)
                .options(UnixEndpoint.options())
                .nativeProgram("unix-seqpacket")
                .unavailableBecause(() -> Junix.unavailableBecause())
                .build();
    }

    @Override
    public ServerEnd open(ChannelSpec spec) throws IOException {
        UnixEndpoint endpoint = UnixEndpoint.forServer(spec, NAME, AFSocketType.SOCK_SEQPACKET);
        AFUNIXDatagramSocket listener = AFUNIXDatagramSocket.newInstance(AFSocketType.SOCK_SEQPACKET);
        try {
            listener.bind(endpoint.address);
            listener.listen(1);
            endpoint.restrict();
        } catch (IOException e) {
            listener.close();
            endpoint.remove();
            throw new BadInputException("cannot bind Unix seqpacket socket " + endpoint.describe() + ": " + e.getMessage());
        }
        return new Server(spec, listener, endpoint);
    }

    @Override
    public Channel connect(ChannelSpec spec, Duration timeout) throws IOException {
        AFUNIXSocketAddress address = UnixEndpoint.forClient(spec, NAME);
        AFUNIXDatagramSocket socket = AFUNIXDatagramSocket.newInstance(AFSocketType.SOCK_SEQPACKET);
        try {
            SocketBuffers.apply(socket.getChannel(), spec);
            socket.connect(address);
        } catch (IOException e) {
            socket.close();
            throw new IpcException(NAME + " connect to " + Junix.describe(address) + " failed: " + e.getMessage());
        }
        return new DatagramMessageChannel(NAME, socket.getChannel(), MAX_MESSAGE, true, false, socket);
    }

    private final class Server implements ServerEnd {
        private final ChannelSpec spec;
        private final AFUNIXDatagramSocket listener;
        private final UnixEndpoint endpoint;
        private final Map<String, String> effective = new LinkedHashMap<>();

        Server(ChannelSpec spec, AFUNIXDatagramSocket listener, UnixEndpoint endpoint) {
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
            AFDatagramSocket<AFUNIXSocketAddress> s = acceptSliced(timeout, peer);
            AFUNIXDatagramChannel ch = (AFUNIXDatagramChannel) s.getChannel();
            String who;
            try {
                who = PeerCheck.require(NAME, ch.getPeerCredentials());
                effective.put("peer", who);
                SocketBuffers.apply(ch, spec);
                SocketBuffers.report(ch, spec, effective);
                effective.put("max message", Integer.toString(MAX_MESSAGE));
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
            return new DatagramMessageChannel(NAME, ch, MAX_MESSAGE, true, false, s).describedAs(who);
        }

        private AFDatagramSocket<AFUNIXSocketAddress> acceptSliced(Duration timeout, Optional<Process> peer) throws IOException {
            listener.setSoTimeout(100);
            return Listener.acceptInSlices(NAME, timeout, peer, listener::isClosed, listener::accept);
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
