package org.ipclab.pipe;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jnr.constants.platform.OpenFlags;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

import org.ipclab.core.PipeCapacity;
import org.ipclab.core.BadInputException;
import org.ipclab.core.Capability;
import org.ipclab.core.Channel;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.Framing;
import org.ipclab.core.IpcException;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.MechanismOption;
import org.ipclab.core.NativeException;
import org.ipclab.core.ServerEnd;
import org.ipclab.core.StreamChannel;
import org.ipclab.core.io.IoRoute;

/**
 * Two anonymous pipes between a parent and the child JVM it starts: the child's stdin carries
 * parent → child, its stdout child → parent (one pipe per direction, as every IPC course draws it).
 * {@link ProcessBuilder.Redirect#PIPE} makes the pipes; {@code pipe(2)} is called by the JDK.
 *
 * <p>Parent side: the JDK hands us its ends as buffered streams, which cannot time out. We find
 * the descriptors behind them by the pipe inodes the child's {@code /proc/<pid>/fd/0} and
 * {@code /1} point to, open them again as {@link FileChannel}s ({@link PipeEnds#reopen}), and close
 * the JDK's streams — otherwise the JDK's process reaper would drain our pipe when the child exits.
 *
 * <p>Child side ({@link #connect}): the same for fd 0 and 1; then fd 1 is pointed at stderr and
 * fd 0 at /dev/null, so a stray {@code System.out.println} or a JVM message cannot corrupt the stream.
 */
public final class PipeProvider implements ChannelProvider {
    static final String NAME = "pipe";
    static final String PIPE_SIZE = "pipe-size";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public MechanismInfo describe(ChannelSpec spec) {
        return MechanismInfo.builder(NAME)
                .description("two anonymous pipes (child's stdin/stdout), length-prefixed frames; parent and child only")
                .capabilities(Capability.BIDIRECTIONAL, Capability.RELIABLE, Capability.ORDERED, Capability.RELATED_PROCESSES_ONLY)
                .maxMessageSize(Framing.DEFAULT_MAX_MESSAGE)
                .options(MechanismOption.size(PIPE_SIZE, null, "capacity of each pipe, fcntl(F_SETPIPE_SZ); one page up to"
                        + " /proc/sys/fs/pipe-max-size (default: the kernel's, 64 KiB)"), IoRoute.option())
                .peerJvmFlags(IoRoute.jvmFlags(spec))
                .nativeProgram("pipe")
                .unavailableBecause(() -> Files.isDirectory(Path.of("/proc/self/fd")) ? Optional.empty() : Optional.of("needs Linux /proc/self/fd"))
                .build();
    }

    @Override
    public ServerEnd open(ChannelSpec spec) {
        int requested = spec.option(PIPE_SIZE).isPresent() ? PipeCapacity.validate(spec.size(PIPE_SIZE, 0)) : 0;
        return new PipeServerEnd(spec, requested, IoRoute.of(spec));
    }

    @Override
    public Channel connect(ChannelSpec spec, Duration timeout) throws IOException {
        IoRoute route = IoRoute.of(spec);
        String in = PipeEnds.target(ProcessHandle.current().pid(), 0);
        String out = PipeEnds.target(ProcessHandle.current().pid(), 1);
        if (!in.startsWith("pipe:") || !out.startsWith("pipe:")) {
            throw new BadInputException("pipe: stdin (" + in + ") and stdout (" + out + ") must be pipes from the parent;"
                    + " a pipe connects only a parent and the child it starts (not usable with ipc connect)");
        }
        // From here on, nothing but frames may reach the pipe behind fd 1.
        PrintStream stderr = System.err;
        System.setOut(stderr);
        FileChannel fromParent = PipeEnds.reopen(PipeEnds.selfFd(0), false);
        FileChannel toParent = null;
        try {
            toParent = PipeEnds.reopen(PipeEnds.selfFd(1), true);
            detachStandardStreams();
        } catch (IOException | RuntimeException e) {
            fromParent.close();
            if (toParent != null) toParent.close();
            throw e;
        }
        return new StreamChannel(NAME, route.wrap(fromParent), route.wrap(toParent), Framing.DEFAULT_MAX_MESSAGE);
    }

    /** dup2(2, 1) and dup2(/dev/null, 0): the pipes now live only in our reopened descriptors. */
    private static void detachStandardStreams() throws IOException {
        POSIX posix = POSIXFactory.getNativePOSIX();
        if (posix.dup2(2, 1) < 0) throw new NativeException("dup2(2, 1)", posix.errno());
        int devNull = posix.open("/dev/null", OpenFlags.O_RDONLY.intValue(), 0);
        if (devNull < 0) throw new NativeException("open(/dev/null)", posix.errno());
        try {
            if (posix.dup2(devNull, 0) < 0) throw new NativeException("dup2(/dev/null, 0)", posix.errno());
        } finally {
            posix.close(devNull);
        }
    }

    private final class PipeServerEnd implements ServerEnd {
        private final ChannelSpec spec;
        private final int requestedSize;
        private final IoRoute route;
        private final Map<String, String> effective = new LinkedHashMap<>();
        private volatile String toPeerPipe = "";
        private volatile String fromPeerPipe = "";

        PipeServerEnd(ChannelSpec spec, int requestedSize, IoRoute route) {
            this.spec = spec;
            this.requestedSize = requestedSize;
            this.route = route;
            effective.put(IoRoute.OPTION, route.label());
        }

        @Override
        public ChannelSpec peerSpec() {
            return spec;
        }

        /** The child's stdin and stdout become the two pipes under test. */
        @Override
        public Process startPeer(ProcessBuilder peer) throws IOException {
            peer.redirectInput(ProcessBuilder.Redirect.PIPE);
            peer.redirectOutput(ProcessBuilder.Redirect.PIPE);
            return peer.start();
        }

        @Override
        public Channel accept(Duration timeout, Optional<Process> peer) throws IOException {
            Process child = peer.orElseThrow(() -> new BadInputException(
                    "pipe connects only a parent and the child it starts; use a named mechanism (fifo, unix, ...) for unrelated processes"));
            String toPeer;
            String fromPeer;
            try {
                toPeer = PipeEnds.target(child.pid(), 0);
                fromPeer = PipeEnds.target(child.pid(), 1);
            } catch (NoSuchFileException e) {
                throw new IpcException("pipe: peer (pid " + child.pid() + ") exited before its pipes could be opened");
            }
            if (!toPeer.startsWith("pipe:") || !fromPeer.startsWith("pipe:")) {
                throw new IpcException("pipe: the peer's stdin/stdout are " + toPeer + " and " + fromPeer
                        + ", not pipes (the peer was not started by startPeer)");
            }
            toPeerPipe = toPeer;
            fromPeerPipe = fromPeer;
            int writeFd = PipeEnds.ourOnlyDescriptorFor(toPeer, "the pipe to the peer's stdin");
            int readFd = PipeEnds.ourOnlyDescriptorFor(fromPeer, "the pipe from the peer's stdout");
            int toSize;
            int fromSize;
            if (requestedSize > 0) {
                toSize = PipeCapacity.set(writeFd, requestedSize);
                fromSize = PipeCapacity.set(readFd, requestedSize);
            } else {
                toSize = PipeCapacity.get(writeFd);
                fromSize = PipeCapacity.get(readFd);
            }
            effective.put("pipe-to-peer", toPeer);
            effective.put("pipe-from-peer", fromPeer);
            effective.put("pipe-size", PipeCapacity.describe(toSize, requestedSize));
            if (fromSize != toSize) effective.put("pipe-size-from-peer", Integer.toString(fromSize));
            effective.put("pipe-max-size", Long.toString(PipeCapacity.maxSize()));
            FileChannel out = PipeEnds.reopen(PipeEnds.selfFd(writeFd), true);
            FileChannel in;
            try {
                in = PipeEnds.reopen(PipeEnds.selfFd(readFd), false);
            } catch (IOException e) {
                out.close();
                throw e;
            }
            // The JDK's copies must go: its reaper would otherwise read our pipe when the child exits.
            child.getOutputStream().close();
            child.getInputStream().close();
            return new StreamChannel(NAME, route.wrap(in), route.wrap(out), Framing.DEFAULT_MAX_MESSAGE);
        }

        @Override
        public Map<String, String> effectiveParameters() {
            return effective;
        }

        @Override
        public List<String> createdObjects() {
            if (toPeerPipe.isEmpty()) return List.of();
            return List.of("pipe:" + toPeerPipe, "pipe:" + fromPeerPipe);
        }

        @Override
        public void close() {
            // Anonymous pipes have no name: they vanish with the last descriptor (the channel's and the child's).
        }
    }
}
