package org.ipclab.fifo;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

import jnr.constants.platform.OpenFlags;
import jnr.posix.POSIX;

import org.ipclab.core.PipeCapacity;
import org.ipclab.core.BadInputException;
import org.ipclab.core.Capability;
import org.ipclab.core.Channel;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.ExitCleanup;
import org.ipclab.core.OwnedFiles;
import org.ipclab.core.Users;
import org.ipclab.core.Framing;
import org.ipclab.core.IpcException;
import org.ipclab.core.IpcTimeoutException;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.MechanismOption;
import org.ipclab.core.Names;
import org.ipclab.core.NativeException;
import org.ipclab.core.ServerEnd;
import org.ipclab.core.StreamChannel;
import org.ipclab.core.io.IoRoute;

/**
 * Two named pipes (FIFOs), one per direction, that unrelated processes meet by path:
 * {@code DIR/ipclab-to-server} and {@code DIR/ipclab-to-client}, made with {@code mkfifo(3)} mode
 * 0600 in a fresh 0700 directory of ours, or in the directory given as option {@code path}.
 * One client at a time: a connected client holds a lock on to-server (see {@link #claim}). With
 * the internal option {@link ChannelSpec#FAN_IN_WRITERS} (a fan-in run), N writers share to-server
 * instead, each frame one atomic write of at most PIPE_BUF bytes, and no to-client is made
 * ({@link FanInFifo}).
 *
 * <p>Both sides open to-server first, then to-client, each open bounded by the timeout (see
 * {@link FifoFiles#open}). When the server end serves the child it started (benchmarks, tests),
 * the names are unlinked as soon as both sides hold both ends: from then on nothing is left in the
 * file system even if both processes are killed. Otherwise ({@code ipc serve}, which accepts one
 * client after another) close, Ctrl-C ({@link ExitCleanup}) and {@code ipc clean} remove them.
 */
public final class FifoProvider implements ChannelProvider {
    static final String NAME = "fifo";
    static final String PATH = "path";
    static final String PIPE_SIZE = "pipe-size";
    static final String TO_SERVER = "ipclab-to-server";
    static final String TO_CLIENT = "ipclab-to-client";
    private static final long POLL_NANOS = 10_000_000;

    @Override
    public String name() {
        return NAME;
    }

    /** A fan-in run's spec: N writers share to-server (see {@link FanInFifo}). */
    static boolean fanIn(ChannelSpec spec) {
        return spec.option(ChannelSpec.FAN_IN_WRITERS).isPresent();
    }

    @Override
    public MechanismInfo describe(ChannelSpec spec) {
        String pair = "two named pipes (mkfifo) met by path, length-prefixed frames";
        return MechanismInfo.builder(NAME)
                .description(fanIn(spec) ? pair + "; " + FanInFifo.LIMIT
                        : pair + "; fan-in: N writers into to-server, messages up to " + FanInFifo.MAX_MESSAGE + " bytes (PIPE_BUF)")
                .capabilities(Capability.BIDIRECTIONAL, Capability.RELIABLE, Capability.ORDERED, Capability.NAMED, Capability.FAN_IN)
                // A fan-in frame must be one atomic write (pipe(7)); bench reads this limit from the fan-in spec's description.
                .maxMessageSize(fanIn(spec) ? FanInFifo.MAX_MESSAGE : Framing.DEFAULT_MAX_MESSAGE)
                .options(MechanismOption.text(PATH, null, "directory that holds the two FIFOs " + TO_SERVER + " and " + TO_CLIENT
                                + " (default: a fresh private 0700 directory in the temp directory)").withShortcut(),
                        MechanismOption.size(PIPE_SIZE, null, "capacity of each FIFO, fcntl(F_SETPIPE_SZ); one page up to"
                                + " /proc/sys/fs/pipe-max-size (default: the kernel's, 64 KiB)"), IoRoute.option())
                .peerJvmFlags(IoRoute.jvmFlags(spec))
                .nativeProgram("fifo")
                .build();
    }

    @Override
    public ServerEnd open(ChannelSpec spec) throws IOException {
        IoRoute route = IoRoute.of(spec);
        int requested = spec.option(PIPE_SIZE).isPresent() ? PipeCapacity.validate(spec.size(PIPE_SIZE, 0)) : 0;
        Optional<String> given = spec.option(PATH);
        Path dir;
        boolean privateDir;
        if (given.isPresent()) {
            dir = Path.of(given.get()).toAbsolutePath().normalize();
            if (!Files.exists(dir)) throw new BadInputException("fifo: directory " + dir + " does not exist");
            if (!Files.isDirectory(dir)) throw new BadInputException("fifo: " + dir + " is not a directory (path names the directory that holds the FIFOs)");
            privateDir = false;
        } else {
            dir = Names.privateDirectory("fifo");
            privateDir = true;
        }
        Path toServer = dir.resolve(TO_SERVER);
        Path toClient = dir.resolve(TO_CLIENT);
        FifoServerEnd end = new FifoServerEnd(spec, dir, privateDir, toServer, toClient, requested, route);
        try {
            FifoFiles.create(toServer);
            end.created.add(toServer);
            if (!end.fanIn) { // N writers send only: no return path to make
                FifoFiles.create(toClient);
                end.created.add(toClient);
            }
            if (!privateDir) {
                end.registryEntry = FifoRegistry.record(List.copyOf(end.created));
                end.effective.put("clean-registry", end.registryEntry.map(Path::toString)
                        .orElse("unavailable: after a crash remove " + String.join(" and ", end.created.stream().map(Path::toString).toList()) + " by hand"));
            }
        } catch (IOException | RuntimeException e) {
            end.close();
            throw e;
        }
        ExitCleanup.register(end);
        return end;
    }

    @Override
    public Channel connect(ChannelSpec spec, Duration timeout) throws IOException {
        IoRoute route = IoRoute.of(spec);
        Path dir = Path.of(spec.option(PATH).orElseThrow(() ->
                new BadInputException("fifo connect needs the directory of the FIFOs (--path DIR)"))).toAbsolutePath();
        long deadline = System.nanoTime() + timeout.toNanos();
        Path toServer = dir.resolve(TO_SERVER);
        Path toClient = dir.resolve(TO_CLIENT);
        boolean fanIn = fanIn(spec);
        // The server may not have made them yet: wait for both names (a fan-in writer: to-server), as long as the timeout allows.
        while (!(Files.exists(toServer, LinkOption.NOFOLLOW_LINKS) && (fanIn || Files.exists(toClient, LinkOption.NOFOLLOW_LINKS)))) {
            refuseUnsearchable(dir); // names in a directory we may not search never "appear": say so now, not at the timeout
            if (System.nanoTime() - deadline >= 0) {
                throw new IpcTimeoutException("fifo connect: no " + TO_SERVER + "/" + TO_CLIENT + " FIFOs appeared in " + dir
                        + " (is `ipc serve --mechanism fifo --path " + dir + "` running?);", timeout);
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
        FifoFiles.checkOurs(toServer);
        if (fanIn) {
            // One of N writers: no one-client lock, to-server only; its frames are whole writes (FanInFifo).
            return FanInFifo.writer(FifoFiles.open(toServer, true, remaining(deadline), () -> false, "fifo connect"), route);
        }
        FifoFiles.checkOurs(toClient);
        FileChannel out = FifoFiles.open(toServer, true, remaining(deadline), () -> false, "fifo connect");
        FileChannel in;
        try {
            claim(out, dir);
            in = FifoFiles.open(toClient, false, remaining(deadline), () -> false, "fifo connect");
        } catch (IOException e) {
            out.close();
            throw e;
        }
        return new StreamChannel(NAME, route.wrap(in), route.wrap(out), Framing.DEFAULT_MAX_MESSAGE);
    }

    /**
     * A directory on the way to {@code dir}, or {@code dir} itself, that exists but that we may not
     * search (another user's private one, mode 0700): a one-line refusal naming it. Below such a
     * directory nothing can be seen at all, so the names would never "appear".
     */
    private static void refuseUnsearchable(Path dir) throws IOException {
        for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
            if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) || Files.isExecutable(p)) continue;
            int uid = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            String mode = java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
            throw new BadInputException("fifo connect: may not search " + p + (p.equals(dir.toAbsolutePath()) ? "" : ", on the way to " + dir)
                    + " (owner uid " + uid + ", " + mode + "): its FIFOs are another user's; run the client as uid " + uid
                    + ", or serve with --path in a directory both may use");
        }
    }

    /**
     * A FIFO carries no sender address: a second client writing into to-server while the first is
     * connected would interleave its bytes with the first one's frames. So a client holds a write
     * lock on to-server for as long as it is connected (released by the kernel even if it crashes),
     * and a second client is refused before it has written a byte.
     */
    private static void claim(FileChannel toServer, Path dir) throws IOException {
        java.nio.channels.FileLock lock;
        try {
            lock = toServer.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException sameJvm) {
            lock = null;
        }
        if (lock == null) {
            throw new IpcException("fifo connect: another client is connected through " + dir
                    + " (a FIFO carries no sender address, so one client at a time); try again when it has left");
        }
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    private final class FifoServerEnd implements ServerEnd {
        private final ChannelSpec spec;
        private final Path dir;
        private final boolean privateDir;
        private final Path toServer;
        private final Path toClient;
        private final int requestedSize;
        private final IoRoute route;
        final boolean fanIn;
        private boolean acceptedWriters;
        final List<Path> created = new ArrayList<>();
        Optional<Path> registryEntry = Optional.empty();
        final Map<String, String> effective = new LinkedHashMap<>();
        private volatile boolean closed;
        private boolean removed;

        FifoServerEnd(ChannelSpec spec, Path dir, boolean privateDir, Path toServer, Path toClient, int requestedSize, IoRoute route) {
            this.route = route;
            this.spec = spec;
            this.dir = dir;
            this.privateDir = privateDir;
            this.toServer = toServer;
            this.toClient = toClient;
            this.requestedSize = requestedSize;
            this.fanIn = fanIn(spec);
            effective.put("path", dir.toString());
            effective.put(IoRoute.OPTION, route.label());
            if (fanIn) {
                effective.put("fan-in", spec.option(ChannelSpec.FAN_IN_WRITERS).orElseThrow() + " writers into " + TO_SERVER
                        + ", each frame one write(2) of at most PIPE_BUF = " + FanInFifo.PIPE_BUF + " bytes; no " + TO_CLIENT);
            }
        }

        @Override
        public ChannelSpec peerSpec() {
            return spec.with(PATH, dir.toString());
        }

        @Override
        public Channel accept(Duration timeout, Optional<Process> peer) throws IOException {
            if (fanIn) return acceptWriters(timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            restoreNamesForTheNextClient();
            FileChannel in = FifoFiles.open(toServer, false, timeout, () -> closed, "fifo accept");
            FileChannel out;
            try {
                out = FifoFiles.open(toClient, true, remaining(deadline), () -> closed, "fifo accept");
            } catch (IOException e) {
                in.close();
                throw e;
            }
            try {
                applyPipeSize();
            } catch (IOException | RuntimeException e) {
                in.close();
                out.close();
                throw e;
            }
            // Both sides hold both ends. A child started for this end (ipc bench, tests) is the only
            // partner there will be, so the names have done their job: unlinked now, nothing is left
            // even if both processes are killed. Without one (ipc serve), later clients need them.
            if (peer.isPresent()) {
                removeNames();
                return new StreamChannel(NAME, route.wrap(in), route.wrap(out), Framing.DEFAULT_MAX_MESSAGE);
            }
            return new HangUpChannel(NAME, in, out, Framing.DEFAULT_MAX_MESSAGE, route);
        }

        /**
         * The one channel N writers share: returns when the first has opened to-server. The name
         * stays until close, for the writers still to come; the stream ends when the last has closed.
         */
        private Channel acceptWriters(Duration timeout) throws IOException {
            synchronized (this) {
                if (closed) throw new IpcException("fifo accept: server end is closed");
                if (acceptedWriters) throw new IpcException("fifo accept: a fan-in server end has one channel, shared by all writers; it was accepted already");
                acceptedWriters = true;
            }
            FileChannel in = FifoFiles.open(toServer, false, timeout, () -> closed, "fifo accept");
            try {
                applyPipeSize();
                return FanInFifo.reader(in, toServer, route);
            } catch (IOException | RuntimeException e) {
                in.close();
                throw e;
            }
        }

        /**
         * A previous session with a child of ours unlinked the names (see {@link #accept}); the
         * next accept needs them again: the same names, made afresh as at open (0600, O_EXCL).
         */
        private synchronized void restoreNamesForTheNextClient() throws IOException {
            if (closed) throw new IpcException("fifo accept: server end is closed");
            if (!removed) return;
            if (privateDir) {
                Files.createDirectory(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
            }
            FifoFiles.create(toServer);
            FifoFiles.create(toClient);
            if (!privateDir) registryEntry = FifoRegistry.record(List.of(toServer, toClient));
            removed = false;
        }

        /** F_SETPIPE_SZ/F_GETPIPE_SZ through a short-lived O_RDWR|O_NONBLOCK descriptor (the buffer exists while the FIFO is open). */
        private void applyPipeSize() throws IOException {
            POSIX posix = FifoFiles.posix();
            List<Integer> sizes = new ArrayList<>();
            for (Path fifo : created) {
                int fd = posix.open(fifo.toString(), OpenFlags.O_RDWR.intValue() | OpenFlags.O_NONBLOCK.intValue(), 0);
                if (fd < 0) throw new NativeException("open(" + fifo + ", O_RDWR|O_NONBLOCK)", posix.errno());
                try {
                    sizes.add(requestedSize > 0 ? PipeCapacity.set(fd, requestedSize) : PipeCapacity.get(fd));
                } finally {
                    posix.close(fd);
                }
            }
            effective.put("pipe-size", PipeCapacity.describe(sizes.get(0), requestedSize));
            if (sizes.size() > 1 && !sizes.get(0).equals(sizes.get(1))) effective.put("pipe-size-to-client", Integer.toString(sizes.get(1)));
            effective.put("pipe-max-size", Long.toString(PipeCapacity.maxSize()));
        }

        @Override
        public Map<String, String> effectiveParameters() {
            return effective;
        }

        @Override
        public List<String> createdObjects() {
            List<String> objects = new ArrayList<>();
            for (Path p : created) objects.add("fifo:" + p);
            if (privateDir) objects.add("dir:" + dir);
            return objects;
        }

        @Override
        public void close() {
            closed = true;
            // Wake an accept blocked in open(2) before the names go (a blocked open cannot be found once unlinked).
            synchronized (this) {
                if (!removed) {
                    for (Path p : created) FifoFiles.release(p);
                }
            }
            removeNames();
            ExitCleanup.forget(this);
        }

        private synchronized void removeNames() {
            if (removed) return;
            removed = true;
            for (Path p : created) {
                try {
                    if (FifoFiles.isFifo(p)) OwnedFiles.removeFileIfOwned(p, Users.uid()); // relative to its directory, only ours
                } catch (IOException ignored) {
                    // ipc clean will find it
                }
            }
            if (privateDir) {
                try {
                    Files.deleteIfExists(dir);
                } catch (IOException ignored) {
                    // not empty: something else was put there; ipc clean removes it
                }
            }
            FifoRegistry.forget(registryEntry);
        }
    }
}
