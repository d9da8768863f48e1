package org.ipclab.socket;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

import org.ipclab.core.BadInputException;
import org.ipclab.core.Capability;
import org.ipclab.core.Channel;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.Framing;
import org.ipclab.core.IpcException;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.MechanismOption;
import org.ipclab.core.Names;
import org.ipclab.core.OwnedFiles;
import org.ipclab.core.Users;
import org.ipclab.core.ServerEnd;
import org.ipclab.core.StreamChannel;
import org.ipclab.core.io.IoRoute;

/**
 * Unix domain stream sockets through the JDK ({@code UnixDomainSocketAddress}, JDK 16+): a file
 * name instead of an address and port. The socket file lives in a private 0700 directory and is
 * made 0600; a connecting process of another uid is refused (SO_PEERCRED).
 */
public final class UnixStreamProvider implements ChannelProvider {
    static final String NAME = "unix";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public MechanismInfo describe(ChannelSpec spec) {
        return MechanismInfo.builder(NAME)
                .description("Unix domain stream socket (JDK), length-prefixed frames")
                .capabilities(Capability.BIDIRECTIONAL, Capability.RELIABLE, Capability.ORDERED, Capability.NAMED,
                        Capability.NON_BLOCKING_TRY, Capability.CHECKS_PEER_UID, Capability.CONCURRENT_SESSIONS, Capability.FAN_IN)
                .maxMessageSize(Framing.DEFAULT_MAX_MESSAGE)
                .options(MechanismOption.text("path", null, "socket file to bind (server) or connect to (client); at most 107 bytes"
                        + " (default: a socket file in a fresh private directory)").withShortcut(), IoRoute.option())
                .peerJvmFlags(IoRoute.jvmFlags(spec))
                .nativeProgram("unix")
                .build();
    }

    @Override
    public ServerEnd open(ChannelSpec spec) throws IOException {
        IoRoute.of(spec); // refuses io=ffm where it cannot run before anything is created
        Optional<String> given = spec.option("path");
        Path dir = null;
        Path path;
        UnixSocketFiles.Staging staging = null; // a user's path: bound privately, then named (already 0600)
        if (given.isPresent()) {
            path = Path.of(given.get()).toAbsolutePath();
            UnixSocketFiles.checkLength(path);
            UnixSocketFiles.reclaimIfStale(path);
            staging = UnixSocketFiles.Staging.beside(path);
        } else {
            dir = Names.privateDirectory("unix");
            path = dir.resolve("ipc.sock");
        }
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            if (staging != null) {
                listener.bind(UnixDomainSocketAddress.of(staging.socket), Listener.BACKLOG);
                staging.publish();
            } else {
                listener.bind(UnixDomainSocketAddress.of(path), Listener.BACKLOG);
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------")); // inside our 0700 directory
            }
        } catch (IOException e) {
            listener.close();
            if (staging != null) staging.discard();
            if (dir != null) OwnedFiles.removeTree(dir, Users.uid());
            throw new BadInputException("cannot bind Unix socket " + path + ": " + e.getMessage());
        }
        return new UnixServerEnd(spec, listener, path, dir);
    }

    @Override
    public Channel connect(ChannelSpec spec, Duration timeout) throws IOException {
        IoRoute route = IoRoute.of(spec);
        String p = spec.option("path").orElseThrow(() -> new BadInputException("unix connect needs a socket path (--path FILE)"));
        Path path = Path.of(p);
        UnixSocketFiles.checkLength(path.toAbsolutePath());
        SocketChannel socket = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            socket.connect(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            socket.close();
            String why = Files.exists(path) ? "nobody is listening on it (" + e.getMessage() + ")" : "no such socket file";
            throw new IpcException("unix connect to " + path + " failed: " + why);
        }
        ByteChannel raw = route.wrap(socket);
        return new StreamChannel(NAME, raw, raw, Framing.DEFAULT_MAX_MESSAGE);
    }

    private final class UnixServerEnd implements ServerEnd {
        private final ChannelSpec spec;
        private final ServerSocketChannel listener;
        private final Path path;
        private final Path privateDir;
        private final Map<String, String> effective = new LinkedHashMap<>();

        UnixServerEnd(ChannelSpec spec, ServerSocketChannel listener, Path path, Path privateDir) {
            this.spec = spec;
            this.listener = listener;
            this.path = path;
            this.privateDir = privateDir;
            effective.put("path", path.toString());
        }

        @Override
        public ChannelSpec peerSpec() {
            return spec.with("path", path.toString());
        }

        @Override
        public Channel accept(Duration timeout, Optional<Process> peer) throws IOException {
            SocketChannel s = Listener.accept(listener, NAME, timeout, peer);
            UnixDomainPrincipal who = s.getOption(ExtendedSocketOptions.SO_PEERCRED);
            String me = System.getProperty("user.name");
            if (!who.user().getName().equals(me)) {
                s.close();
                throw new IpcException("unix: refused a peer of user " + who.user().getName() + " (we are " + me + ")");
            }
            String peerName = "user " + who.user().getName() + " group " + who.group().getName();
            effective.put("peer", who.user().getName() + "/" + who.group().getName());
            IoRoute route = IoRoute.of(spec);
            effective.put(IoRoute.OPTION, route.label());
            ByteChannel raw = route.wrap(s);
            return new StreamChannel(NAME, raw, raw, Framing.DEFAULT_MAX_MESSAGE).describedAs(peerName);
        }

        @Override
        public Map<String, String> effectiveParameters() {
            return effective;
        }

        @Override
        public List<String> createdObjects() {
            List<String> objects = new ArrayList<>();
            objects.add("socket:" + path);
            if (privateDir != null) objects.add("dir:" + privateDir);
            return objects;
        }

        @Override
        public void close() throws IOException {
            Listener.closeQuietly(listener);
            if (privateDir != null) OwnedFiles.removeTree(privateDir, Users.uid()); // never follows a link
            else OwnedFiles.removeFileIfOwned(path, Users.uid()); // relative to its directory, only if still ours
        }
    }
}
