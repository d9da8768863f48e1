package org.ipclab.labs.lab4;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

import org.ipclab.core.BadInputException;
import org.ipclab.core.Capability;
import org.ipclab.core.Channel;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.IpcException;
import org.ipclab.core.IpcTimeoutException;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.MechanismOption;
import org.ipclab.core.Names;
import org.ipclab.core.PeerGoneException;
import org.ipclab.core.ServerEnd;

/**
 * Given: your ring as an ipclab mechanism called {@code lab4-ring}. The server end creates and maps
 * the segment and waits for the peer to set CONNECTED; the peer maps the same file by its path.
 * Registered in META-INF/services by the check, so that the peer JVM finds it too.
 */
public final class RingProvider implements ChannelProvider {
    public static final String NAME = "lab4-ring";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public MechanismInfo describe(ChannelSpec spec) {
        return MechanismInfo.builder(NAME)
                .description("lab 4: your SPSC ring buffers in a /dev/shm segment")
                .capabilities(Capability.BIDIRECTIONAL, Capability.MESSAGE_BOUNDARIES, Capability.RELIABLE, Capability.ORDERED, Capability.NAMED)
                .maxMessageSize(RingLayout.MAX_MESSAGE)
                .options(MechanismOption.internal("path", "the segment file (set by the server end for its peer)"))
                .build();
    }

    private static MappedByteBuffer map(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return ch.map(FileChannel.MapMode.READ_WRITE, 0, RingLayout.SEGMENT_SIZE);
        }
    }

    @Override
    public ServerEnd open(ChannelSpec spec) throws IOException {
        Path path = Path.of("/dev/shm", Names.unique("lab4"));
        Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            return new Server(path, map(path), spec);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(path);
            throw e;
        }
    }

    @Override
    public Channel connect(ChannelSpec spec, Duration timeout) throws IOException {
        Path path = Path.of(spec.option("path").orElseThrow(() -> new BadInputException("lab4-ring: the peer needs --opt path=FILE")));
        MappedByteBuffer shared = map(path);
        RingLayout.LONG.setVolatile(shared, RingLayout.CONNECTED, 1L);
        return new RingChannel(shared, RingLayout.RING_B, RingLayout.RING_A);
    }

    private static final class Server implements ServerEnd {
        private final Path path;
        private final MappedByteBuffer shared;
        private final ChannelSpec spec;
        private volatile boolean closed;

        Server(Path path, MappedByteBuffer shared, ChannelSpec spec) {
            this.path = path;
            this.shared = shared;
            this.spec = spec;
        }

        @Override
        public ChannelSpec peerSpec() {
            return spec.with("path", path.toString());
        }

        @Override
        public Channel accept(Duration timeout, Optional<Process> peer) throws IOException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while ((long) RingLayout.LONG.getVolatile(shared, RingLayout.CONNECTED) == 0) {
                if (closed) throw new IpcException("lab4-ring: closed while waiting for the peer");
                if (peer.isPresent() && !peer.get().isAlive()) throw new PeerGoneException("lab4-ring: the peer exited before it connected");
                if (System.nanoTime() - deadline > 0) throw new IpcTimeoutException("lab4-ring: waiting for the peer", timeout);
                LockSupport.parkNanos(1_000_000);
            }
            return new RingChannel(shared, RingLayout.RING_A, RingLayout.RING_B);
        }

        @Override
        public Map<String, String> effectiveParameters() {
            return Map.of("path", path.toString(), "ring capacity", String.valueOf(RingLayout.CAPACITY));
        }

        @Override
        public List<String> createdObjects() {
            return List.of("file:" + path);
        }

        @Override
        public void close() throws IOException {
            closed = true;
            Files.deleteIfExists(path);
        }
    }
}
