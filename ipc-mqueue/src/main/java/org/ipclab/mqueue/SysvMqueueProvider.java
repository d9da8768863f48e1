package org.ipclab.mqueue;

import org.ipclab.core.PeerLiveness;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.MechanismOption;
import org.ipclab.core.ExitCleanup;
import org.ipclab.core.IpcTimeoutException;
import org.ipclab.core.ServerEnd;

/**
 * System V message queues ({@code sysvipc(7)}: {@code msgget}, {@code msgsnd}, {@code msgrcv},
 * {@code msgctl}): two queues, one per direction, made 0600 by the server end and removed by it
 * ({@code IPC_RMID}). The limits a course talks about are the kernel's: {@code MSGMAX}
 * ({@code /proc/sys/kernel/msgmax}, the largest message, 8192) and {@code MSGMNB}
 * ({@code msgmnb}, the bytes one queue holds, 16384).
 */
public final class SysvMqueueProvider implements ChannelProvider {
    /** The queue ids a client needs to connect: user-visible options (like shm's segment), so {@code ipc serve}'s connect hint carries them. */
    static final String TO_PEER = "msqid-to-peer";
    static final String FROM_PEER = "msqid-from-peer";

    @Override
    public String name() {
        return SysvChannel.MECHANISM;
    }

    /** The largest message: {@code /proc/sys/kernel/msgmax}. */
    @Override
    public MechanismInfo describe(ChannelSpec spec) {
        return MechanismInfo.builder(SysvChannel.MECHANISM)
                .description("System V message queues (msgget/msgsnd/msgrcv), one per direction, typed messages")
                .capabilities(Capability.BIDIRECTIONAL, Capability.MESSAGE_BOUNDARIES, Capability.RELIABLE,
                        Capability.ORDERED, Capability.NAMED, Capability.KERNEL_PERSISTENT, Capability.NON_BLOCKING_TRY,
                        // connect() sends ATTACH and returns (the WELCOME is only awaited by a receive), so N writers
                        // can share the server's one receive queue; a later writer's ATTACH is skipped by the reader
                        Capability.FAN_IN)
                .maxMessageSize((int) Math.min(Integer.MAX_VALUE, Proc.kernel("msgmax", 8192)))
                .options(MechanismOption.internal(TO_PEER, "the queue the server sends on"),
                        MechanismOption.internal(FROM_PEER, "the queue the server receives on"))
                .nativeProgram("sysv-mqueue")
                .unavailableBecause(() -> Optional.ofNullable(Native.unavailableBecause()))
                .build();
    }

    @Override
    public ServerEnd open(ChannelSpec spec) throws IOException {
        SysvQueue toPeer = SysvQueue.create();
        SysvQueue fromPeer;
        try {
            fromPeer = SysvQueue.create();
        } catch (IOException | RuntimeException e) {
            SysvQueue.remove(toPeer.msqid);
            throw e;
        }
        return new SysvServerEnd(spec, toPeer, fromPeer, describe(spec).maxMessageSize());
    }

    @Override
    public Channel connect(ChannelSpec spec, Duration timeout) throws IOException {
        int to = id(spec, TO_PEER);
        int from = id(spec, FROM_PEER);
        PeerLiveness watch = PeerLiveness.ofServer(spec);
        SysvQueue in = SysvQueue.of(to);
        SysvQueue out = SysvQueue.of(from);
        in.status(); // fails clearly (EINVAL/EIDRM/EACCES) when the id is wrong or not ours
        SysvChannel ch = new SysvChannel(out, in, describe(spec).maxMessageSize(), watch);
        ch.expectWelcome(ProcessHandle.current().pid()); // set before ATTACH: the WELCOME answers it
        ByteBuffer attach = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, ProcessHandle.current().pid());
        long end = System.nanoTime() + MqChannel.nanos(timeout);
        try {
            while (!ch.sendControl(SysvChannel.ATTACH, attach)) {
                if (System.nanoTime() - end >= 0) {
                    throw new IpcTimeoutException(SysvChannel.MECHANISM + ": attach to msqid " + from + " (queue full)", timeout);
                }
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return ch;
    }

    private static int id(ChannelSpec spec, String key) {
        String v = spec.option(key).orElseThrow(() -> new BadInputException("sysv-mqueue connect needs --opt " + key + "=<msqid>"));
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new BadInputException("option " + key + "=" + v + " is not a msqid");
        }
    }

    private static final class SysvServerEnd implements ServerEnd {
        private final ChannelSpec spec;
        private final SysvQueue toPeer;
        private final SysvQueue fromPeer;
        private final int msgmax;
        private SysvChannel channel;
        private final Map<String, String> effective = new LinkedHashMap<>();
        private boolean closed;

        SysvServerEnd(ChannelSpec spec, SysvQueue toPeer, SysvQueue fromPeer, int msgmax) throws IOException {
            this.spec = spec;
            this.toPeer = toPeer;
            this.fromPeer = fromPeer;
            this.msgmax = msgmax;
            for (String f : List.of("msgmax", "msgmnb", "msgmni")) {
                effective.put("/proc/sys/kernel/" + f, Proc.text(java.nio.file.Path.of("/proc/sys/kernel", f)));
            }
            SysvQueue.Status s = toPeer.status();
            effective.put("queues", toPeer.describe() + ", " + fromPeer.describe());
            effective.put("msg_qbytes", Long.toString(s.qbytes()));
            effective.put("mode", String.format("0%o", s.mode() & 0777));
            ExitCleanup.register(this);
        }

        @Override
        public ChannelSpec peerSpec() {
            return spec.with(TO_PEER, Integer.toString(toPeer.msqid))
                    .with(FROM_PEER, Integer.toString(fromPeer.msqid))
                    .with(MqueueProvider.SERVER_PID, Long.toString(ProcessHandle.current().pid()));
        }

        /** Each session gets a channel of its own over the same two queues; the handshake (see {@link SysvChannel}) skips old leftovers. */
        @Override
        public Channel accept(Duration timeout, Optional<Process> peer) throws IOException {
            SysvChannel ch;
            synchronized (this) {
                if (closed) throw new org.ipclab.core.IpcException(SysvChannel.MECHANISM + ": server end is closed");
                if (channel != null) channel.close();
                ch = new SysvChannel(toPeer, fromPeer, msgmax, PeerLiveness.nobody());
                channel = ch;
            }
            peer.ifPresent(p -> ch.watch(PeerLiveness.of(p, "peer")));
            long pid = ch.awaitAttach(timeout);
            if (peer.isEmpty()) ch.watch(PeerLiveness.ofPid(pid, "peer"));
            ByteBuffer welcome = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, pid);
            long end = System.nanoTime() + MqChannel.nanos(timeout);
            while (!ch.sendControl(SysvChannel.WELCOME, welcome)) {
                ch.checkPeer("welcome the peer on " + toPeer.describe());
                if (System.nanoTime() - end >= 0) {
                    throw new IpcTimeoutException(SysvChannel.MECHANISM + ": welcome to " + toPeer.describe() + " (queue full)", timeout);
                }
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            effective.put("peer pid", Long.toString(pid));
            return ch;
        }

        @Override
        public Map<String, String> effectiveParameters() {
            return effective;
        }

        @Override
        public List<String> createdObjects() {
            return List.of("sysv-msg:" + toPeer.describe(), "sysv-msg:" + fromPeer.describe());
        }

        @Override
        public synchronized void close() {
            if (closed) return;
            closed = true;
            try {
                if (channel != null) channel.close();
            } finally {
                SysvQueue.remove(toPeer.msqid);
                SysvQueue.remove(fromPeer.msqid);
                ExitCleanup.forget(this);
            }
        }
    }
}
