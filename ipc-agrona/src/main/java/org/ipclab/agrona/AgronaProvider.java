package org.ipclab.agrona;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
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
import org.ipclab.core.PeerLiveness;
import org.ipclab.core.ServerEnd;
import org.ipclab.core.Units;

/**
 * Agrona's {@link org.agrona.concurrent.ringbuffer.OneToOneRingBuffer}, the ring Aeron's own driver and clients talk through, one
 * per direction, over a file in {@code /dev/shm} both processes map (layout: {@link AgronaSegment}).
 * What ipclab's {@code shm} ring does by hand, done by the library an engineer would reach for.
 *
 * <pre>
 * ipc bench -m agrona --opt wait=spin --opt capacity=8m
 * </pre>
 */
public final class AgronaProvider implements ChannelProvider {
    static final String NAME = "agrona";
    static final int DEFAULT_CAPACITY = 8 << 20; // an eighth is 1 MiB: the largest message of the usual runs
    static final Path DEFAULT_DIR = Path.of("/dev/shm");
    /** Agrona 2.x goes through jdk.internal.misc.Unsafe for every buffer access. */
    static final String EXPORT = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";
    private static final Duration POLL = Duration.ofMillis(1);

    @Override
    public String name() {
        return NAME;
    }

    /** The largest message is an eighth of the ring ({@code capacity}); spin and yield busy-wait; the C twin is the spin ring. */
    @Override
    public MechanismInfo describe(ChannelSpec spec) {
        IdleWait wait = IdleWait.of(spec);
        int capacity = AgronaSegment.checkCapacity(spec.size("capacity", DEFAULT_CAPACITY));
        return MechanismInfo.builder(NAME)
                .description("Agrona OneToOneRingBuffer x2 over a mapped /dev/shm file, wait=spin|yield|park (Agrona idle strategies)")
                .capabilities(Capability.BIDIRECTIONAL, Capability.MESSAGE_BOUNDARIES, Capability.RELIABLE,
                        Capability.ORDERED, Capability.NAMED, Capability.KERNEL_PERSISTENT, Capability.NON_BLOCKING_TRY, Capability.SHARED_MEMORY)
                .capabilityIf(wait.busyWaits(), Capability.BUSY_WAITS)
                .maxMessageSize(AgronaSegment.maxMessage(capacity))
                .options(MechanismOption.choice("wait", "spin", "Agrona idle strategy while waiting: spin=BusySpin, yield=Yielding,"
                                        + " park=Backoff (spins, yields, then parks 1 µs..1 ms)", IdleWait.optionValues()),
                        MechanismOption.size("capacity", Units.formatSize(DEFAULT_CAPACITY).replace(" ", ""),
                                "bytes per ring (one each way), a power of two from " + Units.formatSize(AgronaSegment.MIN_CAPACITY).replace(" ", "")
                                        + " to " + Units.formatSize(AgronaSegment.MAX_CAPACITY).replace(" ", "") + "; the largest message is capacity/8"),
                        MechanismOption.text("path", DEFAULT_DIR.toString(), "directory for the ring file (tmpfs keeps it in RAM)"),
                        MechanismOption.internal("rings", "the ring file the peer maps"))
                .peerJvmFlags(List.of(EXPORT))
                .nativeProgram(wait == IdleWait.SPIN ? "shm-spin" : null)
                .unavailableBecause(() -> unavailableBecause())
                .build();
    }

    private static Optional<String> unavailableBecause() {
        if (!Object.class.getModule().isExported("jdk.internal.misc", AgronaProvider.class.getModule())) {
            return Optional.of("this JVM lacks the flag Agrona 2 needs: " + EXPORT);
        }
        return Optional.empty();
    }

    @Override
    public ServerEnd open(ChannelSpec spec) throws IOException {
        IdleWait wait = IdleWait.of(spec);
        int capacity = AgronaSegment.checkCapacity(spec.size("capacity", DEFAULT_CAPACITY));
        Path dir = Path.of(spec.option("path", DEFAULT_DIR.toString()));
        if (!Files.isDirectory(dir)) throw new BadInputException("agrona path " + dir + " is not a directory");
        AgronaSegment segment = AgronaSegment.create(dir.resolve(Names.unique(NAME)), capacity);
        return new AgronaServerEnd(spec, segment, wait);
    }

    /** Maps the rings and claims the peer slot, waiting (up to {@code timeout}) for the server end to accept. */
    @Override
    public Channel connect(ChannelSpec spec, Duration timeout) throws IOException {
        IdleWait wait = IdleWait.of(spec);
        Path file = Path.of(spec.option("rings").orElseThrow(() -> new BadInputException("agrona connect needs --opt rings=FILE")));
        AgronaSegment segment = AgronaSegment.attach(file);
        PeerLiveness server = PeerLiveness.ofPid(segment.creatorPid(), "server");
        long me = ProcessHandle.current().pid();
        long deadline = System.nanoTime() + Units.nanos(timeout);
        long holder;
        while ((holder = segment.peerPid()) != 0 || !segment.header.compareAndSetLong(AgronaSegment.PEER_PID_OFFSET, 0, me)) {
            server.check(NAME, "be accepted");
            if (!Files.exists(file)) throw new IpcException(NAME + ": the server end closed " + file + " before accepting us");
            if (System.nanoTime() - deadline >= 0) {
                throw new IpcTimeoutException(NAME + " connect to " + file + " (" + (holder > 0 ? "the previous peer, pid " + holder
                        + ", still holds it" : "the server end is not accepting") + ")", timeout);
            }
            sleep(POLL);
        }
        return new AgronaChannel(segment, false, wait, server);
    }

    static void sleep(Duration d) throws IpcException {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IpcException(NAME + ": interrupted");
        }
    }

    /**
     * Owns the ring file. Each {@link #accept} is one session: it waits until the previous peer
     * closed its end or died, empties both rings, then opens the peer slot for the next one.
     */
    private static final class AgronaServerEnd implements ServerEnd {
        private final ChannelSpec spec;
        private final AgronaSegment segment;
        private final IdleWait wait;
        private final Map<String, String> effective = new LinkedHashMap<>();
        private AgronaChannel current;
        private volatile boolean closed;

        AgronaServerEnd(ChannelSpec spec, AgronaSegment segment, IdleWait wait) {
            this.spec = spec;
            this.segment = segment;
            this.wait = wait;
            effective.put("wait", wait.optionValue() + " (" + wait.agronaClass() + ")");
            effective.put("capacity", Integer.toString(segment.capacity));
            effective.put("maxMessage", Integer.toString(AgronaSegment.maxMessage(segment.capacity)));
            effective.put("ringTrailer", RingBufferDescriptor.TRAILER_LENGTH + " B");
            effective.put("rings", segment.path.toString());
            effective.put("segmentBytes", Long.toString(AgronaSegment.length(segment.capacity)));
            effective.put("agrona", agronaVersion());
            effective.put("livenessCheck", Units.format(Duration.ofNanos(PollingWait.CHECK_NANOS)));
        }

        @Override
        public ChannelSpec peerSpec() {
            return spec.with("rings", segment.path.toString()).with("wait", wait.optionValue()).withServerPid();
        }

        @Override
        public synchronized Channel accept(Duration timeout, Optional<Process> peer) throws IOException {
            if (closed) throw new IpcException(NAME + ": server end is closed");
            if (current != null && !current.isClosed()) {
                throw new IllegalStateException(NAME + ": accept while the previous channel is still open");
            }
            long deadline = System.nanoTime() + Units.nanos(timeout);
            awaitPreviousPeer(deadline, timeout);
            segment.reset();
            segment.header.putLongVolatile(AgronaSegment.PEER_PID_OFFSET, 0); // the door is open
            long pid;
            try {
                while ((pid = segment.peerPid()) <= 0) {
                    if (closed) throw new IpcException(NAME + ": server end closed while waiting for a peer");
                    if (peer.isPresent() && !peer.get().isAlive()) {
                        throw new PeerGoneException(NAME + ": peer (pid " + peer.get().pid() + ") exited before attaching to " + segment.path);
                    }
                    if (System.nanoTime() - deadline >= 0) {
                        throw new IpcTimeoutException(NAME + " accept (no peer attached to " + segment.path + ")", timeout);
                    }
                    sleep(POLL);
                }
            } catch (IOException | RuntimeException e) {
                // Close the door; a peer that slipped in at the last moment is told to go (end of stream).
                if (!segment.header.compareAndSetLong(AgronaSegment.PEER_PID_OFFSET, 0, AgronaSegment.NO_ACCEPT)) {
                    segment.header.putIntVolatile(AgronaSegment.SERVER_CLOSED_OFFSET, 1);
                }
                throw e;
            }
            long claimed = pid;
            PeerLiveness watch = peer.filter(p -> p.pid() == claimed).map(p -> PeerLiveness.of(p, "peer"))
                    .orElseGet(() -> PeerLiveness.ofPid(claimed, "peer"));
            effective.put("peerPid", Long.toString(pid));
            current = new AgronaChannel(segment, true, wait, watch);
            return current;
        }

        /** The previous session's peer must be done with the rings before they are emptied for the next. */
        private void awaitPreviousPeer(long deadline, Duration timeout) throws IOException {
            long old;
            while ((old = segment.peerPid()) > 0 && !segment.closedFlag(AgronaSegment.PEER_CLOSED_OFFSET)
                    && ProcessHandle.of(old).map(ProcessHandle::isAlive).orElse(false)) {
                if (closed) throw new IpcException(NAME + ": server end closed while waiting for a peer");
                if (System.nanoTime() - deadline >= 0) {
                    throw new IpcTimeoutException(NAME + " accept (the previous peer, pid " + old + ", has not closed its end)", timeout);
                }
                sleep(POLL);
            }
            segment.header.putLongVolatile(AgronaSegment.PEER_PID_OFFSET, AgronaSegment.NO_ACCEPT);
        }

        @Override
        public Map<String, String> effectiveParameters() {
            return effective;
        }

        @Override
        public List<String> createdObjects() {
            return List.of("shm:" + segment.path);
        }

        /** Ends the session (the peer sees end of stream) and removes the file. Not synchronized: it aborts a waiting accept. */
        @Override
        public void close() throws IOException {
            if (closed) return;
            closed = true;
            AgronaChannel c = current;
            if (c != null) c.close();
            segment.header.putIntVolatile(AgronaSegment.SERVER_CLOSED_OFFSET, 1);
            Files.deleteIfExists(segment.path);
        }
    }

    /** Agrona's version as built against (a resource filtered by Maven: the shaded CLI jar has no Agrona manifest). */
    static String agronaVersion() {
        try (java.io.InputStream in = AgronaProvider.class.getResourceAsStream("versions.properties")) {
            if (in == null) return "unknown";
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            return p.getProperty("agrona", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
