package org.ipclab.aeron;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import io.aeron.Aeron;
import io.aeron.CncFileDescriptor;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FrameDescriptor;
import org.agrona.ErrorHandler;
import org.ipclab.agrona.IdleWait;
import org.ipclab.agrona.PollingWait;
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
 * Aeron's {@code aeron:ipc}: each process publishes to the other on its own stream, through log
 * buffers that a media driver creates in shared memory. The driver runs embedded in the server
 * end, in a private 0700 directory under /dev/shm, and goes with it.
 *
 * <p><b>Sessions.</b> A peer publishes on {@link #UP} with its pid as the session id and
 * subscribes to {@link #DOWN} filtered to that session id; the server end keeps one subscription on
 * UP open for its whole life (a "lobby"), and each {@link ServerEnd#accept} takes the first image
 * it has not served yet and answers with an exclusive DOWN publication for that session. So a
 * second client is a fresh pair of log buffers, and nothing of the first one reaches it.
 *
 * <p><b>Threads, for 2 CPUs.</b> The driver runs {@link ThreadingMode#SHARED}: one thread for
 * conductor, sender and receiver, idling with Aeron's default back-off (spin, yield, then park up
 * to 1 ms). The data path of aeron:ipc never passes through the driver — a publisher writes the
 * log, the subscriber reads it — so its only work is bookkeeping (the publisher's limit, client
 * liveness), and a dedicated spinning thread would take a CPU from the two processes measured.
 * Each Aeron client also has a conductor thread, which sleeps 16 ms between duty cycles.
 */
public final class AeronProvider implements ChannelProvider {
    static final String NAME = "aeron";
    static final int UP = 1001;   // peer → server
    static final int DOWN = 1002; // server → peer
    static final int DEFAULT_TERM = 8 << 20; // an eighth is 1 MiB, the largest message of the usual runs
    static final int MIN_TERM = 64 << 10;
    static final int MAX_TERM = 1 << 30;
    static final int DEFAULT_MTU = 1408; // Aeron's own default, for IPC as for UDP
    static final int MAX_MTU = 65504; // Aeron's limit, the largest UDP payload, for IPC too
    static final Path DEFAULT_ROOT = Path.of("/dev/shm");
    /** Agrona 2 (under Aeron) goes through jdk.internal.misc.Unsafe for every buffer access. */
    static final List<String> FLAGS = List.of("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED");
    private static final Duration POLL = Duration.ofMillis(1);
    private static final String DRIVER_DIR = "driver";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public MechanismInfo describe(ChannelSpec spec) {
        IdleWait wait = IdleWait.of(spec);
        int term = term(spec);
        mtu(spec);
        return MechanismInfo.builder(NAME)
                .description("Aeron aeron:ipc publication/subscription pairs, embedded media driver (shared thread), wait=spin|yield|park")
                .capabilities(Capability.BIDIRECTIONAL, Capability.MESSAGE_BOUNDARIES, Capability.RELIABLE,
                        Capability.ORDERED, Capability.NAMED, Capability.NON_BLOCKING_TRY, Capability.SHARED_MEMORY)
                .capabilityIf(wait.busyWaits(), Capability.BUSY_WAITS)
                .maxMessageSize(FrameDescriptor.computeMaxMessageLength(term))
                .options(MechanismOption.choice("wait", "spin", "Agrona idle strategy of the polling side: spin=BusySpin, yield=Yielding,"
                                        + " park=Backoff (spins, yields, then parks 1 µs..1 ms)", IdleWait.optionValues()),
                        MechanismOption.size("term", Units.formatSize(DEFAULT_TERM).replace(" ", ""),
                                "term buffer length of each publication (3 terms per log), a power of two from 64KiB to 1GiB;"
                                        + " the largest message is term/8 (at most 16MiB)"),
                        MechanismOption.size("mtu", Integer.toString(DEFAULT_MTU),
                                "bytes per fragment including its 32-byte header, a multiple of 32 from 64 to " + MAX_MTU + " and at most term/8;"
                                        + " bigger messages are fragmented"),
                        MechanismOption.text("path", DEFAULT_ROOT.toString(), "where the private 0700 directory of the media driver is made"),
                        MechanismOption.internal("dir", "the media driver's directory, for the peer"))
                .peerJvmFlags(FLAGS)
                .nativeProgram(wait == IdleWait.SPIN ? "shm-spin" : null)
                .unavailableBecause(() -> unavailableBecause())
                .build();
    }

    private static Optional<String> unavailableBecause() {
        if (!Object.class.getModule().isExported("jdk.internal.misc", AeronProvider.class.getModule())) {
            return Optional.of("this JVM lacks the flags Aeron needs: " + String.join(" ", FLAGS));
        }
        return Optional.empty();
    }

    static int term(ChannelSpec spec) {
        long term = spec.size("term", DEFAULT_TERM);
        if (term < MIN_TERM || term > MAX_TERM || Long.bitCount(term) != 1) {
            throw new BadInputException("aeron option term=" + term + " must be a power of two from 64KiB to 1GiB");
        }
        return (int) term;
    }

    static int mtu(ChannelSpec spec) {
        long mtu = spec.size("mtu", DEFAULT_MTU);
        if (mtu < 64 || mtu > MAX_MTU || mtu % FrameDescriptor.FRAME_ALIGNMENT != 0) {
            throw new BadInputException("aeron option mtu=" + mtu + " must be a multiple of 32 from 64 to " + MAX_MTU);
        }
        int maxMessage = FrameDescriptor.computeMaxMessageLength(term(spec));
        if (mtu > maxMessage) {
            throw new BadInputException("aeron option mtu=" + mtu + " must be at most term/8 = " + maxMessage + " (Aeron's rule)");
        }
        return (int) mtu;
    }

    /** The publication URI of one session: its id is the peer's pid. */
    static String uri(int sessionId, int term, int mtu) {
        return "aeron:ipc?session-id=" + sessionId + "|term-length=" + term + "|mtu=" + mtu;
    }

    @Override
    public ServerEnd open(ChannelSpec spec) throws IOException {
        IdleWait wait = IdleWait.of(spec);
        int term = term(spec);
        int mtu = mtu(spec);
        Path root = Path.of(spec.option("path", DEFAULT_ROOT.toString()));
        if (!Files.isDirectory(root)) throw new BadInputException("aeron path " + root + " is not a directory");
        // Aeron deletes and re-creates its own directory (mode from the umask), so it lives inside one of ours that is 0700 from the start.
        Path dir = Files.createDirectory(root.resolve(Names.unique(NAME)),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            return new AeronServerEnd(spec, dir, wait, term, mtu);
        } catch (RuntimeException e) {
            deleteTree(dir);
            throw e;
        }
    }

    /** Connects an Aeron client to the server's driver, publishes on UP and waits until the server end accepted this session. */
    @Override
    public Channel connect(ChannelSpec spec, Duration timeout) throws IOException {
        IdleWait wait = IdleWait.of(spec);
        int term = term(spec);
        int mtu = mtu(spec);
        Path driverDir = Path.of(spec.option("dir").orElseThrow(() -> new BadInputException("aeron connect needs --opt dir=DIR")));
        // A hand-typed `ipc connect` may lack the server pid: our directory's name carries it.
        PeerLiveness server = spec.serverPid().isPresent() || driverDir.getParent() == null ? PeerLiveness.ofServer(spec)
                : Names.creatorPid(driverDir.getParent().getFileName().toString()).stream()
                        .mapToObj(pid -> PeerLiveness.ofPid(pid, "server")).findFirst().orElse(PeerLiveness.nobody());
        Path cnc = driverDir.resolve(CncFileDescriptor.CNC_FILE);
        if (!Files.isDirectory(driverDir) && !Files.isDirectory(driverDir.toAbsolutePath().getParent())) {
            throw new IpcException("aeron: no media driver directory " + driverDir + " (did the server end exit?)");
        }
        if (!Files.isReadable(cnc) || !Files.isWritable(cnc)) {
            throw new IpcException("aeron: may not open " + cnc + " (its directory is its creator's, mode 0700)");
        }
        long deadline = System.nanoTime() + Units.nanos(timeout);
        AtomicReference<Throwable> error = new AtomicReference<>();
        Aeron aeron = Aeron.connect(clientContext(driverDir, error, timeout));
        try {
            int me = Math.toIntExact(ProcessHandle.current().pid());
            // Subscribe first: when the server sees our image, our filtered subscription already exists for its answer.
            Subscription down = aeron.addSubscription(uri(me, term, mtu), DOWN);
            ExclusivePublication up = aeron.addExclusivePublication(uri(me, term, mtu), UP);
            Image image;
            while ((image = down.imageBySessionId(me)) == null || !up.isConnected()) {
                server.check(NAME, "be accepted");
                if (error.get() != null) throw new IpcException(NAME + ": " + error.get().getMessage(), error.get());
                if (System.nanoTime() - deadline >= 0) {
                    throw new IpcTimeoutException(NAME + " connect (the server end in " + driverDir + " did not accept)", timeout);
                }
                sleep(POLL);
            }
            return new AeronChannel(up, image, wait, server, aeron);
        } catch (IOException | RuntimeException e) {
            aeron.close();
            throw e;
        }
    }

    /**
     * An Aeron client that reports errors instead of exiting: Aeron's default handler calls
     * System.exit on a driver timeout, and a dead server is PeerLiveness's to report.
     */
    static Aeron.Context clientContext(Path driverDir, AtomicReference<Throwable> error, Duration timeout) {
        ErrorHandler remember = t -> error.compareAndSet(null, t);
        return new Aeron.Context()
                .aeronDirectoryName(driverDir.toString())
                .driverTimeoutMs(Math.max(1_000, Math.min(timeout.toMillis(), 10_000)))
                .errorHandler(remember)
                .subscriberErrorHandler(remember);
    }

    static void sleep(Duration d) throws IpcException {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IpcException(NAME + ": interrupted");
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
        }
    }

    private static final class AeronServerEnd implements ServerEnd {
        private final ChannelSpec spec;
        private final Path dir;
        private final Path driverDir;
        private final IdleWait wait;
        private final int term;
        private final int mtu;
        private final MediaDriver driver;
        private final Aeron aeron;
        private final Subscription lobby;
        private final AtomicReference<Throwable> error = new AtomicReference<>();
        private final Set<Long> served = new HashSet<>();
        private final Map<String, String> effective = new LinkedHashMap<>();
        private AeronChannel current;
        private volatile boolean closed;

        AeronServerEnd(ChannelSpec spec, Path dir, IdleWait wait, int term, int mtu) {
            this.spec = spec;
            this.dir = dir;
            this.driverDir = dir.resolve(DRIVER_DIR);
            this.wait = wait;
            this.term = term;
            this.mtu = mtu;
            ErrorHandler remember = t -> error.compareAndSet(null, t);
            MediaDriver.Context ctx = new MediaDriver.Context()
                    .aeronDirectoryName(driverDir.toString())
                    .threadingMode(ThreadingMode.SHARED)
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true)
                    .warnIfDirectoryExists(false)
                    .termBufferSparseFile(false) // touch the log pages now, not during the measurement
                    .ipcTermBufferLength(term)
                    .ipcMtuLength(mtu)
                    .errorHandler(remember);
            this.driver = MediaDriver.launchEmbedded(ctx);
            Aeron client = null;
            try {
                client = Aeron.connect(clientContext(driverDir, error, Duration.ofSeconds(10)));
                this.lobby = client.addSubscription("aeron:ipc", UP);
            } catch (RuntimeException e) {
                if (client != null) client.close();
                driver.close();
                throw e;
            }
            this.aeron = client;
            effective.put("wait", wait.optionValue() + " (" + wait.agronaClass() + ")");
            effective.put("term", Integer.toString(term));
            effective.put("mtu", Integer.toString(mtu));
            effective.put("maxMessage", Integer.toString(FrameDescriptor.computeMaxMessageLength(term)));
            effective.put("termWindow", Integer.toString(ctx.ipcPublicationTermWindowLength() == 0 ? term / 2 : ctx.ipcPublicationTermWindowLength()));
            effective.put("threadingMode", ctx.threadingMode().name());
            effective.put("driverIdle", ctx.sharedIdleStrategy().getClass().getSimpleName());
            effective.put("clientLiveness", Units.format(Duration.ofNanos(ctx.clientLivenessTimeoutNs())));
            effective.put("driverDir", driverDir.toString());
            effective.put("streams", "up " + UP + ", down " + DOWN + ", session id = peer pid");
            effective.put("aeron", aeronVersion());
            effective.put("livenessCheck", Units.format(Duration.ofNanos(PollingWait.CHECK_NANOS)));
        }

        @Override
        public ChannelSpec peerSpec() {
            return spec.with("dir", driverDir.toString()).with("wait", wait.optionValue())
                    .with("term", Integer.toString(term)).with("mtu", Integer.toString(mtu)).withServerPid();
        }

        /** Takes the first client image not served yet and answers it with an exclusive publication for its session. */
        @Override
        public synchronized Channel accept(Duration timeout, Optional<Process> peer) throws IOException {
            if (closed) throw new IpcException(NAME + ": server end is closed");
            if (current != null && !current.isClosed()) {
                throw new IllegalStateException(NAME + ": accept while the previous channel is still open");
            }
            long deadline = System.nanoTime() + Units.nanos(timeout);
            Image image;
            while ((image = fresh()) == null) {
                waitStep(peer, deadline, timeout, "no client published on stream " + UP);
            }
            served.add(image.correlationId());
            int session = image.sessionId();
            ExclusivePublication down = aeron.addExclusivePublication(uri(session, term, mtu), DOWN);
            try {
                while (!down.isConnected()) waitStep(peer, deadline, timeout, "client session " + session + " did not subscribe");
            } catch (IOException | RuntimeException e) {
                down.close();
                throw e;
            }
            PeerLiveness watch = peer.filter(p -> p.pid() == session).map(p -> PeerLiveness.of(p, "peer"))
                    .orElseGet(() -> PeerLiveness.ofPid(session, "peer"));
            effective.put("peerPid", Integer.toString(session));
            current = new AeronChannel(down, image, wait, watch, null);
            return current;
        }

        private Image fresh() {
            for (Image i : lobby.images()) {
                if (!served.contains(i.correlationId()) && !i.isClosed()) return i;
            }
            return null;
        }

        private void waitStep(Optional<Process> peer, long deadline, Duration timeout, String what) throws IOException {
            if (closed) throw new IpcException(NAME + ": server end closed while waiting for a peer");
            if (peer.isPresent() && !peer.get().isAlive()) {
                throw new PeerGoneException(NAME + ": peer (pid " + peer.get().pid() + ") exited before it connected");
            }
            Throwable t = error.get();
            if (t != null) throw new IpcException(NAME + ": the media driver reported: " + t.getMessage(), t);
            if (System.nanoTime() - deadline >= 0) throw new IpcTimeoutException(NAME + " accept (" + what + ")", timeout);
            sleep(POLL);
        }

        @Override
        public Map<String, String> effectiveParameters() {
            return effective;
        }

        @Override
        public List<String> createdObjects() {
            return List.of("dir:" + dir);
        }

        /** Closes the session, the client and the driver (which deletes its directory), then our own directory. */
        @Override
        public void close() throws IOException {
            if (closed) return;
            closed = true;
            synchronized (this) {
                try {
                    if (current != null) current.close();
                } finally {
                    aeron.close();
                    driver.close();
                    deleteTree(dir);
                }
            }
        }
    }

    /** Aeron's version as built against (a resource filtered by Maven: the shaded CLI jar has no Aeron manifest). */
    static String aeronVersion() {
        try (java.io.InputStream in = AeronProvider.class.getResourceAsStream("versions.properties")) {
            if (in == null) return "unknown";
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            return p.getProperty("aeron", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
