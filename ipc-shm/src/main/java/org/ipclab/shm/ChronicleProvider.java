package org.ipclab.shm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.io.SingleThreadedChecked;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import org.ipclab.core.BadInputException;
import org.ipclab.core.Capability;
import org.ipclab.core.Channel;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.IpcException;
import org.ipclab.core.IpcTimeoutException;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.MechanismOption;
import org.ipclab.core.MessageTooLargeException;
import org.ipclab.core.Names;
import org.ipclab.core.PeerLiveness;
import org.ipclab.core.PeerGoneException;
import org.ipclab.core.ServerEnd;

/**
 * Chronicle Queue (OpenHFT), the best-of-breed library next to our own ring: two queues (one per
 * direction) in a private 0700 directory (under {@code /dev/shm} unless {@code path} says otherwise), each a memory-mapped, append-only
 * log. Every excerpt is one message: a type byte (0 = data, 1 = end of stream) and the payload.
 * Unlike our ring a queue keeps every message on disk until the directory is removed (on close).
 *
 * <p>Needs JVM flags in both processes ({@link #FLAGS}); without {@code sun.nio.ch} it fails with
 * the misleading "Can't append to a read-only chronicle". Its analytics (which would contact a
 * remote host) are excluded from the class path and switched off by property.
 */
public final class ChronicleProvider implements ChannelProvider {
    static final String NAME = "chronicle";
    static final int MAX_MESSAGE = 1 << 20;
    /** RAM, like the shm ring: a fair comparison. {@code --opt path=/tmp} puts the queues on disk. */
    static final Path DEFAULT_ROOT = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Names.tempRoot();
    static final String ANALYTICS_OFF = "-Dchronicle.analytics.disable=true";
    /** What Chronicle Queue 2026.4 needs on JDK 17+. */
    static final List<String> FLAGS = List.of(
            "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED");
    /** Also needed from JDK 24 on; JDK 17 refuses the second one. */
    static final List<String> FLAGS_JDK24 = List.of(
            "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow");
    private static final byte DATA = 0;
    private static final byte END = 1;
    /** In the server's directory: the name of the session a new peer joins. */
    private static final String CURRENT = "current";
    /** In a session directory: the peer's pid, linked there by the peer that claimed the session. */
    private static final String CLAIM = "peer";

    static {
        // Belt and braces: the analytics artifact is excluded, and the switch is set before any Chronicle class loads.
        System.setProperty("chronicle.analytics.disable", "true");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public MechanismInfo describe(ChannelSpec spec) {
        return MechanismInfo.builder(NAME)
                .description("Chronicle Queue: two memory-mapped append-only queues in a private dir (default under /dev/shm)")
                .capabilities(Capability.BIDIRECTIONAL, Capability.MESSAGE_BOUNDARIES, Capability.RELIABLE,
                        Capability.ORDERED, Capability.NAMED, Capability.KERNEL_PERSISTENT, Capability.NON_BLOCKING_TRY, Capability.SHARED_MEMORY)
                .capabilityIf(waitOption(spec).busyWaits(), Capability.BUSY_WAITS)
                .maxMessageSize(MAX_MESSAGE)
                .options(MechanismOption.choice("wait", "spin", "how a side waits for a message", "spin", "yield", "park"),
                        MechanismOption.text("path", "/dev/shm", "where the private 0700 directory for both queues is made"
                                + " (/dev/shm: RAM, like the shm ring; /tmp: disk)").withShortcut(),
                        MechanismOption.internal("queues", "the directory holding both queues, for the peer"))
                .peerJvmFlags(jvmFlags())
                .unavailableBecause(() -> unavailableBecause())
                .build();
    }

    /** The flags both JVMs need for this JVM version (the CLI jar's manifest carries the same ones). */
    public static List<String> jvmFlags() {
        List<String> flags = new ArrayList<>(FLAGS);
        if (Runtime.version().feature() >= 24) flags.addAll(FLAGS_JDK24);
        flags.add(ANALYTICS_OFF);
        return flags;
    }

    private static Optional<String> unavailableBecause() {
        if (!Object.class.getModule().isExported("sun.nio.ch", ChronicleProvider.class.getModule())) {
            return Optional.of("this JVM lacks the flags Chronicle Queue needs: " + String.join(" ", FLAGS)
                    + (Runtime.version().feature() >= 24 ? " " + String.join(" ", FLAGS_JDK24) : ""));
        }
        return Optional.empty();
    }

    private static WaitStrategy waitOption(ChannelSpec spec) {
        WaitStrategy w = WaitStrategy.parse(spec.option("wait", "spin"));
        if (w.sleeps()) throw new BadInputException("chronicle option wait=" + w.optionValue() + " is not supported (use spin, yield or park)");
        return w;
    }

    @Override
    public ServerEnd open(ChannelSpec spec) throws IOException {
        WaitStrategy wait = waitOption(spec);
        Path root = Path.of(spec.option("path", DEFAULT_ROOT.toString()));
        if (!Files.isDirectory(root)) throw new BadInputException("chronicle path " + root + " is not a directory");
        Path dir = privateDirectory(root);
        return new ChronicleServerEnd(spec, dir, wait);
    }

    @Override
    public Channel connect(ChannelSpec spec, Duration timeout) throws IOException {
        WaitStrategy wait = waitOption(spec);
        Path dir = Path.of(spec.option("queues").orElseThrow(() -> new BadInputException("chronicle connect needs --opt queues=DIR")));
        // The server's pid is there when our launcher started us; a client of `ipc serve` (typed from its hint) goes without.
        PeerLiveness server = PeerLiveness.ofServer(spec);
        Path session = claimSession(dir, server, timeout);
        return new ChronicleChannel(session.resolve("b2a"), session.resolve("a2b"), wait, server, "server");
    }

    /**
     * Claims the server's current session: links a file holding our pid as {@code SESSION/peer}
     * ({@code link} fails when it exists, so one peer per session). While another peer holds the
     * session, waits for the server to open the next one, up to {@code timeout}.
     */
    private static Path claimSession(Path dir, PeerLiveness server, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + ShmChannel.nanos(timeout);
        long me = ProcessHandle.current().pid();
        Path mine = dir.resolve("peer-" + me + ".tmp");
        try {
            while (true) {
                Path session = currentSession(dir);
                if (session != null && Files.isDirectory(session.resolve("a2b"))) {
                    if (!Files.exists(mine)) Files.writeString(mine, Long.toString(me));
                    try {
                        Files.createLink(session.resolve(CLAIM), mine);
                        return session;
                    } catch (java.nio.file.FileAlreadyExistsException taken) {
                        // another peer has this session: wait for the next
                    }
                } else if (!Files.isDirectory(dir)) {
                    throw new IpcException("chronicle: no queues in " + dir + " (did the server end exit?)");
                }
                if (!server.alive()) throw new PeerGoneException("chronicle: " + server + " is gone");
                if (System.nanoTime() - deadline >= 0) {
                    throw new IpcTimeoutException("chronicle connect (the server's session in " + dir + " is taken by another peer)", timeout);
                }
                java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
            }
        } finally {
            Files.deleteIfExists(mine);
        }
    }

    /** The session directory named by {@code DIR/current}, or null when there is none yet. */
    private static Path currentSession(Path dir) throws IOException {
        try {
            String name = Files.readString(dir.resolve(CURRENT)).trim();
            return name.isEmpty() ? null : dir.resolve(name);
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        }
    }

    /** {@code ROOT/ipclab-<pid>-chronicle-<rand>}, 0700: the same shape as {@link Names#privateDirectory}, in a root we choose. */
    private static Path privateDirectory(Path root) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                return Files.createDirectory(root.resolve(Names.unique(NAME)),
                        java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt > 10) throw e;
            }
        }
    }

    private static ChronicleQueue queue(Path dir) {
        return SingleChronicleQueueBuilder.binary(dir).build();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        org.ipclab.core.OwnedFiles.removeTree(dir, org.ipclab.core.Users.uid()); // only ours, never through a link
    }

    /**
     * Owns the private directory. Each {@link #accept} opens a fresh session — {@code DIR/s<N>/a2b}
     * and {@code b2a}, named in {@code DIR/current} — and waits for a peer to claim it, so a new
     * peer never reads an old one's messages and a late append of an old peer lands in its own
     * (by then deleted) queue, never in the new one.
     */
    private static final class ChronicleServerEnd implements ServerEnd {
        private final ChannelSpec spec;
        private final Path dir;
        private final WaitStrategy wait;
        private final Map<String, String> effective = new LinkedHashMap<>();
        private ChronicleChannel channel;
        private Path session;
        private int sessions;
        private volatile boolean closed;

        ChronicleServerEnd(ChannelSpec spec, Path dir, WaitStrategy wait) throws IOException {
            this.spec = spec;
            this.dir = dir;
            this.wait = wait;
            effective.put("wait", wait.optionValue());
            effective.put("path", dir.toString());
            effective.put("maxMessage", Integer.toString(MAX_MESSAGE));
            effective.put("analytics", "off (artifact excluded, chronicle.analytics.disable=" + System.getProperty("chronicle.analytics.disable") + ")");
            effective.put("chronicleQueue", chronicleVersion());
        }

        @Override
        public ChannelSpec peerSpec() {
            return spec.with("queues", dir.toString()).withServerPid();
        }

        /** Ends the previous session (its queues deleted), opens the next and waits until a peer claims it. */
        @Override
        public synchronized Channel accept(Duration timeout, Optional<Process> peer) throws IOException {
            if (closed) throw new IpcException("chronicle: server end is closed");
            long deadline = System.nanoTime() + ShmChannel.nanos(timeout);
            if (channel != null) {
                channel.close();
                channel = null;
            }
            if (session != null) deleteTree(session);
            session = dir.resolve("s" + (++sessions));
            Files.createDirectory(session);
            Files.createDirectory(session.resolve("a2b"));
            Files.createDirectory(session.resolve("b2a"));
            Path tmp = dir.resolve(CURRENT + ".tmp");
            Files.writeString(tmp, session.getFileName().toString());
            Files.move(tmp, dir.resolve(CURRENT), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            long pid = awaitClaim(deadline, timeout, peer);
            PeerLiveness watch = peer.filter(p -> p.pid() == pid).map(p -> PeerLiveness.of(p, "peer")).orElseGet(() -> PeerLiveness.ofPid(pid, "peer"));
            effective.put("peerPid", Long.toString(pid));
            channel = new ChronicleChannel(session.resolve("a2b"), session.resolve("b2a"), wait, watch, "peer");
            return channel;
        }

        private long awaitClaim(long deadline, Duration timeout, Optional<Process> peer) throws IOException {
            Path claim = session.resolve(CLAIM);
            while (true) {
                try {
                    String text = Files.readString(claim).trim();
                    if (!text.isEmpty()) return Long.parseLong(text);
                } catch (java.nio.file.NoSuchFileException notYet) {
                    // nobody yet
                } catch (NumberFormatException e) {
                    throw new org.ipclab.core.ProtocolException("chronicle: " + claim + " does not hold a pid");
                }
                if (closed) throw new IpcException("chronicle: server end closed while waiting for a peer");
                if (peer.isPresent() && !peer.get().isAlive()) {
                    throw new PeerGoneException("chronicle: peer (pid " + peer.get().pid() + ") exited before joining " + session);
                }
                if (System.nanoTime() - deadline >= 0) throw new IpcTimeoutException("chronicle accept (no peer joined " + session + ")", timeout);
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
        }

        @Override
        public Map<String, String> effectiveParameters() {
            return effective;
        }

        @Override
        public List<String> createdObjects() {
            return List.of("dir:" + dir);
        }

        @Override
        public void close() throws IOException {
            if (closed) return;
            closed = true;
            synchronized (this) {
                if (channel != null) channel.close();
                deleteTree(dir);
            }
        }
    }

    /** Appends to one queue, tails the other. */
    static final class ChronicleChannel implements Channel {
        private final ChronicleQueue outQueue;
        private final ChronicleQueue inQueue;
        private final ExcerptAppender appender;
        private final ExcerptTailer tailer;
        private final WaitStrategy wait;
        private final PeerLiveness peer;
        private final String peerRole;
        private boolean peerEnded;
        private volatile boolean closed;

        ChronicleChannel(Path out, Path in, WaitStrategy wait, PeerLiveness peer, String peerRole) {
            this.outQueue = queue(out);
            this.inQueue = queue(in);
            this.appender = outQueue.createAppender();
            this.tailer = inQueue.createTailer();
            // The runner may send from one thread and receive from another; each object still has one user at a time.
            ((SingleThreadedChecked) appender).singleThreadedCheckDisabled(true);
            ((SingleThreadedChecked) tailer).singleThreadedCheckDisabled(true);
            this.wait = wait;
            this.peer = peer;
            this.peerRole = peerRole;
        }

        @Override
        public int maxMessageSize() {
            return MAX_MESSAGE;
        }

        @Override
        public boolean trySend(ByteBuffer message) throws IOException {
            send(message, Duration.ZERO); // an append never waits for the reader
            return true;
        }

        @Override
        public void send(ByteBuffer message, Duration timeout) throws IOException {
            int length = message.remaining();
            if (length > MAX_MESSAGE) throw new MessageTooLargeException(NAME, length, MAX_MESSAGE);
            if (closed) throw new IpcException("chronicle: channel is closed");
            // No liveness check here: an append never waits, and ProcessHandle.isAlive reads /proc
            // (~10 µs). A dead peer is noticed by the next receive, within CHECK_NANOS.
            write(DATA, message);
        }

        private void write(byte type, ByteBuffer message) {
            try (DocumentContext dc = appender.writingDocument()) {
                Bytes<?> bytes = dc.wire().bytes();
                bytes.writeByte(type);
                int length = message.remaining();
                long at = bytes.writePosition();
                bytes.writeSkip(length); // reserve, then one bulk copy (writeSome goes byte by byte)
                bytes.write(at, message, message.position(), length);
            }
        }

        @Override
        public int tryReceive(ByteBuffer into) throws IOException {
            if (closed) throw new IpcException("chronicle: channel is closed");
            if (peerEnded) return END_OF_STREAM;
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) return NO_MESSAGE;
                Bytes<?> bytes = dc.wire().bytes();
                byte type = bytes.readByte();
                if (type == END) {
                    peerEnded = true;
                    return END_OF_STREAM;
                }
                long length = bytes.readRemaining();
                if (type != DATA || length > MAX_MESSAGE) {
                    throw new org.ipclab.core.ProtocolException("chronicle: excerpt of type " + type + " and " + length + " bytes is not a message");
                }
                if (into.remaining() < length) {
                    dc.rollbackOnClose();
                    throw new IllegalArgumentException("receive buffer has room for " + into.remaining() + " bytes; the message has " + length);
                }
                int n = (int) length;
                ByteBuffer dst = into.duplicate();
                dst.limit(dst.position() + n);
                int copied = bytes.copyTo(dst); // one bulk copy
                if (copied != n) throw new org.ipclab.core.ProtocolException("chronicle: copied " + copied + " of " + n + " bytes");
                into.position(into.position() + n);
                return n;
            }
        }

        @Override
        public int receive(ByteBuffer into, Duration timeout) throws IOException {
            int n = tryReceive(into);
            if (n != NO_MESSAGE) return n;
            long start = System.nanoTime();
            long deadline = start + ShmChannel.nanos(timeout);
            long nextCheck = start + ShmChannel.CHECK_NANOS;
            for (int i = 0; ; i++) {
                wait.idle(i);
                n = tryReceive(into);
                if (n != NO_MESSAGE) return n;
                if (!wait.cheapStep() || (i & 255) == 0) {
                    long now = System.nanoTime();
                    if (now - deadline >= 0) throw new IpcTimeoutException("chronicle receive", timeout);
                    if (now - nextCheck >= 0) {
                        if (closed) throw new IpcException("chronicle: channel is closed");
                        if (peer != null && !peer.alive()) {
                            throw new PeerGoneException("chronicle: " + peer + " died while we waited");
                        }
                        nextCheck = now + ShmChannel.CHECK_NANOS;
                    }
                }
            }
        }

        /** Appends the end-of-stream marker, then closes both queues (their files stay until the server end removes the directory). */
        @Override
        public synchronized void close() {
            if (closed) return;
            closed = true;
            try {
                write(END, ByteBuffer.allocate(0));
            } catch (RuntimeException ignored) {
                // the queue may already be unusable; the peer's liveness check still ends its wait
            }
            outQueue.close();
            inQueue.close();
        }
    }

    /**
     * The Chronicle Queue version from its Maven metadata: in the shaded CLI jar the manifest's
     * Implementation-Version is ipclab's own.
     */
    static String chronicleVersion() {
        try (java.io.InputStream in = ChronicleQueue.class.getResourceAsStream("/META-INF/maven/net.openhft/chronicle-queue/pom.properties")) {
            if (in == null) return "unknown";
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
