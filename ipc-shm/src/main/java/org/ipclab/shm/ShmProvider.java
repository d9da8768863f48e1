package org.ipclab.shm;

import java.io.IOException;
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
import org.ipclab.core.NativeException;
import org.ipclab.core.PeerLiveness;
import org.ipclab.core.PeerGoneException;
import org.ipclab.core.ServerEnd;
import org.ipclab.core.Units;

/**
 * Shared memory: one segment mapped by both processes — a file in {@code /dev/shm} (tmpfs, so RAM;
 * {@code segment=posix}) or a System V segment ({@code segment=sysv}, {@link SysvShm}) — holding
 * two single-producer/single-consumer rings (layout: {@link ShmLayout}). No system call per
 * message unless a side sleeps; how a side waits is the {@code wait} option ({@link WaitStrategy}).
 *
 * <p>One segment serves peer after peer: a peer claims it (its pid in the header), and the next
 * {@code accept} frees it again once that peer closed its end or died; a peer that connects
 * meanwhile waits for the slot within its connect timeout.
 *
 * <pre>
 * ipc bench --mechanism shm --opt wait=spin --opt capacity=1m ...
 * ipc bench --mechanism shm --opt segment=sysv ...
 * </pre>
 */
public final class ShmProvider implements ChannelProvider {
    static final String NAME = "shm";
    static final int DEFAULT_CAPACITY = 4 << 20;
    static final Path DEFAULT_DIR = Path.of("/dev/shm");
    /*
     * Where the peer finds the segment: declared INTERNAL options (set by the server end in its peer
     * spec), not ChannelSpec.INTERNAL_PREFIX ones, because `ipc serve` prints them in the
     * `ipc connect` line it offers, as it does semid.
     */
    /** segment=posix: the file the peer maps. */
    static final String SEGMENT_FILE = "segment-file";
    /** segment=sysv: the shmid the peer attaches, and the segment's name (for its semaphores' names). */
    static final String SHMID = "shmid";
    static final String SEGMENT_NAME = "shm-name";

    @Override
    public String name() {
        return NAME;
    }

    /**
     * The largest message is this spec's {@code capacity} minus an 8-byte record header; spin and
     * yield busy-wait; the C baseline exists for spin and semaphore over a /dev/shm file (a
     * System V segment has no C twin: its row would compare two different setups).
     */
    @Override
    public MechanismInfo describe(ChannelSpec spec) {
        WaitStrategy wait = WaitStrategy.parse(spec.option("wait", "spin"));
        int capacity = ShmLayout.checkCapacity(spec.size("capacity", DEFAULT_CAPACITY));
        boolean sysv = sysvSegment(spec);
        return MechanismInfo.builder(NAME)
                .description("shared memory, two SPSC rings in a /dev/shm file or a System V segment (segment=posix|sysv), "
                        + "wait=spin|yield|park|semaphore|futex|sysv-sem")
                .capabilities(Capability.BIDIRECTIONAL, Capability.MESSAGE_BOUNDARIES, Capability.RELIABLE,
                        Capability.ORDERED, Capability.NAMED, Capability.NON_BLOCKING_TRY, Capability.SHARED_MEMORY)
                // A SysV segment is removed (IPC_RMID) once both ends are attached: it does not outlive them.
                .capabilityIf(!sysv, Capability.KERNEL_PERSISTENT)
                .capabilityIf(wait.busyWaits(), Capability.BUSY_WAITS)
                .maxMessageSize(ShmLayout.maxMessage(capacity))
                .options(MechanismOption.choice("wait", "spin", "how a side waits for data or room",
                                "spin", "yield", "park", "semaphore", "futex", "sysv-sem"),
                        MechanismOption.choice("segment", "posix", "where the rings live: posix = a file in the path directory "
                                + "(mmap), sysv = a System V segment (shmget/shmat, in ipcs -m)", "posix", "sysv"),
                        MechanismOption.size("capacity", Units.formatSize(DEFAULT_CAPACITY).replace(" ", ""),
                                "bytes per ring (one each way), a power of two from " + ShmLayout.MIN_CAPACITY + " to "
                                        + Units.formatSize(ShmLayout.MAX_CAPACITY).replace(" ", "") + "; the largest message is capacity - 8"),
                        MechanismOption.text("path", DEFAULT_DIR.toString(), "directory for the segment file (tmpfs keeps it in RAM)").withShortcut(),
                        MechanismOption.internal(SEGMENT_FILE, "segment=posix: the segment file the peer maps"),
                        MechanismOption.internal(SHMID, "segment=sysv: the System V segment the peer attaches"),
                        MechanismOption.internal(SEGMENT_NAME, "segment=sysv: the segment's name, which its POSIX semaphores are named after"),
                        MechanismOption.internal("semid", "wait=sysv-sem: the System V semaphore set the peer uses"))
                // jnr-ffi (semaphores, posix_fallocate) calls native code: JDK 22+ warns unless it is allowed.
                .peerJvmFlags(Runtime.version().feature() >= 22 ? List.of("--enable-native-access=ALL-UNNAMED") : List.of())
                .nativeProgram(sysv ? null : wait == WaitStrategy.SPIN ? "shm-spin" : wait == WaitStrategy.SEMAPHORE ? "shm-semaphore" : null)
                .unavailableBecause(() -> Libc.unavailableBecause())
                .build();
    }

    @Override
    public ServerEnd open(ChannelSpec spec) throws IOException {
        WaitStrategy wait = WaitStrategy.parse(spec.option("wait", "spin"));
        int capacity = ShmLayout.checkCapacity(spec.size("capacity", DEFAULT_CAPACITY));
        String name = Names.unique(NAME);
        ShmSegment segment;
        if (sysvSegment(spec)) {
            if (spec.option("path").isPresent()) throw new BadInputException("shm path= is for segment=posix; a System V segment has no file");
            segment = ShmSegment.createSysv(name, capacity, wait);
        } else {
            Path dir = Path.of(spec.option("path", DEFAULT_DIR.toString()));
            if (!Files.isDirectory(dir)) throw new BadInputException("shm path " + dir + " is not a directory");
            segment = ShmSegment.create(dir.resolve(name), capacity, wait);
        }
        List<String> created = new ArrayList<>();
        SysvSemaphores sysv = null;
        try {
            if (wait == WaitStrategy.SYSV_SEM) sysv = SysvSemaphores.create();
            if (wait == WaitStrategy.SEMAPHORE) {
                for (String sem : ShmSegment.semaphoreNames(name)) {
                    NamedSemaphore.create(sem, 0).close(); // each end opens its own handle later
                    created.add(sem);
                }
            }
        } catch (IOException | RuntimeException e) {
            for (String sem : created) unlinkQuietly(sem);
            removeSegment(segment);
            segment.detach();
            throw e;
        }
        return new ShmServerEnd(spec, segment, created, sysv);
    }

    @Override
    public Channel connect(ChannelSpec spec, Duration timeout) throws IOException {
        ShmSegment segment;
        Optional<String> shmid = spec.option(SHMID);
        if (shmid.isPresent()) {
            int id;
            try {
                id = Integer.parseInt(shmid.get());
            } catch (NumberFormatException e) {
                throw new BadInputException("shm option " + SHMID + "=" + shmid.get() + " is not a shmid");
            }
            segment = ShmSegment.attachSysv(id, spec.option(SEGMENT_NAME).orElse(Names.unique(NAME)), timeout);
        } else {
            String file = spec.option(SEGMENT_FILE).orElseThrow(() -> new BadInputException(
                    "shm connect needs the segment from the server end's peer spec (" + SEGMENT_FILE + "=FILE or " + SHMID + "=N)"));
            segment = ShmSegment.attach(Path.of(file), timeout);
        }
        SysvSemaphores sysv = null;
        if (segment.wait == WaitStrategy.SYSV_SEM) {
            String id = spec.option("semid").orElseThrow(() -> new BadInputException("shm wait=sysv-sem connect needs --opt semid=N"));
            try {
                sysv = SysvSemaphores.open(Integer.parseInt(id));
            } catch (NumberFormatException e) {
                throw new BadInputException("shm option semid=" + id + " is not a semaphore set id");
            }
            sysv.announcePresence();
        }
        return new ShmChannel(segment, false, PeerLiveness.ofPid(segment.creatorPid(), "server"), sysv);
    }

    static boolean sysvSegment(ChannelSpec spec) {
        String v = spec.option("segment", "posix");
        if (!v.equals("posix") && !v.equals("sysv")) throw new BadInputException("option segment=" + v + " is not one of posix, sysv");
        return v.equals("sysv");
    }

    /** The file (only ours, relative to its directory), or the SysV segment (IPC_RMID). */
    private static void removeSegment(ShmSegment segment) throws IOException {
        if (segment.sysv()) SysvShm.remove(segment.shmid);
        else org.ipclab.core.OwnedFiles.removeFileIfOwned(segment.path, org.ipclab.core.Users.uid());
    }

    private static void unlinkQuietly(String semaphore) {
        try {
            NamedSemaphore.unlink(semaphore);
        } catch (NativeException ignored) {
            // `ipc clean` finds /dev/shm/sem.ipclab-* leftovers
        }
    }

    private static final class ShmServerEnd implements ServerEnd {
        private final ChannelSpec spec;
        private final ShmSegment segment;
        private final List<String> semaphores;
        private final SysvSemaphores sysv; // wait=sysv-sem, else null
        private final Map<String, String> effective = new LinkedHashMap<>();
        private volatile boolean closed;
        /** segment=sysv: IPC_RMID done (a peer attached, or closed). */
        private boolean removed;
        /** The last session's channel and its peer; null before the first accept returned. */
        private ShmChannel current;
        private PeerLiveness currentPeer;

        ShmServerEnd(ChannelSpec spec, ShmSegment segment, List<String> semaphores, SysvSemaphores sysv) {
            this.spec = spec;
            this.segment = segment;
            this.semaphores = semaphores;
            this.sysv = sysv;
            if (sysv != null) effective.put("sysvSemaphores", sysv + ", " + SysvSemaphores.COUNT + " semaphores");
            effective.put("wait", segment.wait.optionValue());
            effective.put("capacity", Integer.toString(segment.capacity));
            effective.put("maxMessage", Integer.toString(ShmLayout.maxMessage(segment.capacity)));
            effective.put("segment", segment.sysv() ? "sysv" : "posix");
            if (segment.sysv()) {
                effective.put("shmid", Integer.toString(segment.shmid));
            } else {
                effective.put("segmentFile", segment.path.toString());
            }
            effective.put("segmentBytes", Long.toString(ShmLayout.segmentLength(segment.capacity)));
            long free = segment.sysv() ? -1 : ShmSegment.freeSpace(segment.path.getParent());
            if (free >= 0) effective.put("freeBytesInDir", Long.toString(free));
            effective.put("padding", ShmLayout.BLOCK + " B per counter");
            effective.put("livenessCheck", Units.format(Duration.ofNanos(ShmChannel.CHECK_NANOS)));
            if (!semaphores.isEmpty()) effective.put("semaphores", String.join(",", semaphores));
        }

        @Override
        public ChannelSpec peerSpec() {
            ChannelSpec peer = (segment.sysv()
                    ? spec.with(SHMID, Integer.toString(segment.shmid)).with(SEGMENT_NAME, segment.name)
                    : spec.with(SEGMENT_FILE, segment.path.toString()))
                    .with("wait", segment.wait.optionValue());
            return sysv == null ? peer : peer.with("semid", Integer.toString(sysv.semid));
        }

        /**
         * Waits until a peer claimed the segment (its pid in the header), its death or our close
         * ending the wait early. From the second call on, first waits until the previous peer has
         * closed its end or died — only then can none of its writes reach the new session — and
         * resets both rings for the next one.
         */
        @Override
        public synchronized Channel accept(Duration timeout, Optional<Process> peer) throws IOException {
            long deadline = System.nanoTime() + ShmChannel.nanos(timeout);
            if (current != null) {
                current.close();
                while (!segment.peerClosed() && currentPeer.alive()) {
                    pause(deadline, timeout, "the previous " + currentPeer + " to close its end of " + segment.where());
                }
                segment.resetForNextSession();
                current = null;
            }
            while (segment.peerPid() == 0) {
                if (peer.isPresent() && !peer.get().isAlive()) {
                    throw new PeerGoneException("shm: peer (pid " + peer.get().pid() + ") exited before attaching to " + segment.where());
                }
                pause(deadline, timeout, "a peer to attach to " + segment.where());
            }
            long pid = segment.peerPid();
            // Both ends are attached now: from here on the kernel frees a SysV segment on the last detach, crash or not.
            if (segment.sysv() && !removed) {
                SysvShm.remove(segment.shmid);
                removed = true;
            }
            PeerLiveness watch = peer.filter(p -> p.pid() == pid).map(p -> PeerLiveness.of(p, "peer")).orElseGet(() -> PeerLiveness.ofPid(pid, "peer"));
            effective.put("peerPid", Long.toString(pid));
            current = new ShmChannel(segment, true, watch, sysv);
            currentPeer = watch;
            return current;
        }

        private void pause(long deadline, Duration timeout, String what) throws IOException {
            if (closed) throw new IpcException("shm: server end closed while waiting for " + what);
            if (System.nanoTime() - deadline >= 0) throw new IpcTimeoutException("shm accept (waiting for " + what + ")", timeout);
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IpcException("shm: interrupted while waiting for " + what);
            }
        }

        @Override
        public Map<String, String> effectiveParameters() {
            return effective;
        }

        @Override
        public List<String> createdObjects() {
            List<String> objects = new ArrayList<>();
            objects.add(segment.sysv() ? "sysv-shm:shmid " + segment.shmid : "shm:" + segment.path);
            for (String s : semaphores) objects.add("sem:" + NamedSemaphore.file(s));
            if (sysv != null) objects.add("sysv-sem:" + sysv);
            return objects;
        }

        @Override
        public void close() throws IOException {
            if (closed) return;
            closed = true;
            for (String s : semaphores) unlinkQuietly(s);
            if (sysv != null) sysv.remove();
            removeSegment(segment);
            if (current != null) current.close(); // a closed channel never touches the rings again
            segment.detach(); // SysV: our attachment ends now, the kernel destroys the segment on the peer's detach
        }
    }
}
