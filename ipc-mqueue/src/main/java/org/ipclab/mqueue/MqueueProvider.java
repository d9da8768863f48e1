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
import org.ipclab.core.ExitCleanup;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.MechanismOption;
import org.ipclab.core.Names;
import org.ipclab.core.ServerEnd;

/**
 * POSIX message queues ({@code mq_overview(7)}): two queues, {@code <name>-to-peer} and
 * {@code <name>-from-peer}, created 0600 with {@code O_EXCL} by the server end and unlinked by it.
 * The message size limit is the queue's {@code mq_msgsize}, by default {@code msgsize_max} from
 * {@code /proc/sys/fs/mqueue} (8192 on a stock kernel).
 */
public final class MqueueProvider implements ChannelProvider {
    static final String SERVER_PID = ChannelSpec.SERVER_PID;

    @Override
    public String name() {
        return MqChannel.MECHANISM;
    }

    /** The largest message: {@code msgsize} when given, else {@code /proc/sys/fs/mqueue/msgsize_max} (the most a process without CAP_SYS_RESOURCE may ask for). */
    @Override
    public MechanismInfo describe(ChannelSpec spec) {
        long max = spec.option("msgsize").isPresent() ? spec.size("msgsize", 0) : Proc.mqueue("msgsize_max", 8192);
        return MechanismInfo.builder(MqChannel.MECHANISM)
                .description("POSIX message queues (mq_open/mq_timedsend/mq_timedreceive), one per direction, with priorities")
                .capabilities(Capability.BIDIRECTIONAL, Capability.MESSAGE_BOUNDARIES, Capability.RELIABLE,
                        Capability.ORDERED, Capability.NAMED, Capability.KERNEL_PERSISTENT, Capability.NON_BLOCKING_TRY,
                        // connect() attaches and returns, so N writers can share the server's queue; a repeated attach is skipped
                        Capability.FAN_IN)
                .maxMessageSize((int) Math.min(Integer.MAX_VALUE, max))
                .options(MechanismOption.text("name", null, "queue name prefix: one '/', then up to 240 characters; -to-peer and"
                                + " -from-peer are appended (default: /ipclab-<pid>-mq-<random>)"),
                        MechanismOption.integer("priority", "1", "priority of every data message, 1..32766 (0 and 32767 are"
                                + " reserved for end-of-stream and attach)"),
                        MechanismOption.integer("maxmsg", null, "messages a queue holds before mq_send blocks (default: /proc/sys/fs/mqueue/msg_max)"),
                        MechanismOption.size("msgsize", null, "largest message, bytes (default: /proc/sys/fs/mqueue/msgsize_max)"))
                .nativeProgram("mqueue")
                .unavailableBecause(() -> Optional.ofNullable(Native.unavailableBecause()))
                .build();
    }

    @Override
    public ServerEnd open(ChannelSpec spec) throws IOException {
        String base = spec.option("name").orElseGet(() -> "/" + Names.unique("mq"));
        int priority = priority(spec);
        long maxmsg = spec.option("maxmsg").map(v -> positive("maxmsg", v)).orElse(Proc.mqueue("msg_max", 10));
        long msgsize = spec.option("msgsize").map(v -> Math.max(1, spec.size("msgsize", 0))).orElse(Proc.mqueue("msgsize_max", 8192));
        String toPeerName = base + "-to-peer";
        String fromPeerName = base + "-from-peer";
        PosixQueue.checkName(base);
        PosixQueue.checkName(toPeerName);
        PosixQueue toPeer = PosixQueue.create(toPeerName, maxmsg, msgsize);
        PosixQueue fromPeer;
        try {
            fromPeer = PosixQueue.create(fromPeerName, maxmsg, msgsize);
        } catch (IOException | RuntimeException e) {
            toPeer.close();
            PosixQueue.unlink(toPeerName);
            throw e;
        }
        return new MqServerEnd(spec, base, priority, maxmsg, msgsize, toPeer, fromPeer);
    }

    @Override
    public Channel connect(ChannelSpec spec, Duration timeout) throws IOException {
        String base = spec.option("name").orElseThrow(() -> new BadInputException("mqueue connect needs the queue name (--opt name=/ipclab-...)"));
        int priority = priority(spec);
        PeerLiveness watch = PeerLiveness.ofServer(spec);
        PosixQueue in = PosixQueue.open(base + "-to-peer", Native.O_RDONLY);
        PosixQueue out;
        try {
            out = PosixQueue.open(base + "-from-peer", Native.O_WRONLY);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
        int msgsize = (int) in.attributes().msgsize();
        MqChannel ch = new MqChannel(out, in, msgsize, priority, watch);
        try {
            ByteBuffer attach = ByteBuffer.allocateDirect(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, ProcessHandle.current().pid());
            ch.sendControl(MqChannel.PRIO_ATTACH, attach, timeout);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return ch;
    }

    private static int priority(ChannelSpec spec) {
        String v = spec.option("priority", "1");
        int p;
        try {
            p = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new BadInputException("option priority=" + v + " is not a number (1..32766)");
        }
        if (p < 1 || p > MqChannel.PRIO_ATTACH - 1) {
            throw new BadInputException("option priority=" + v + " is outside 1..32766 (MQ_PRIO_MAX is 32768; 0 and 32767 are reserved for end-of-stream and attach)");
        }
        return p;
    }

    private static long positive(String key, String v) {
        try {
            long n = Long.parseLong(v.trim());
            if (n >= 1) return n;
        } catch (NumberFormatException ignored) {
            // fall through
        }
        throw new BadInputException("option " + key + "=" + v + " must be a whole number of at least 1");
    }

    /**
     * Owns both queues. A session ends when its channel closes: the channel sends end-of-stream
     * into the old queues, and the server end unlinks them and creates fresh ones under the same
     * names ({@code O_EXCL}), so the next peer never reads what the last one left unread, and a
     * late message of the old peer goes to its own (unlinked) queue, never to the new peer's.
     */
    private static final class MqServerEnd implements ServerEnd {
        private final ChannelSpec spec;
        private final String base;
        private final int priority;
        private final long maxmsg;
        private final long msgsize;
        private PosixQueue toPeer;
        private PosixQueue fromPeer;
        private MqChannel current;
        private final Map<String, String> effective = new LinkedHashMap<>();
        private boolean closed;

        MqServerEnd(ChannelSpec spec, String base, int priority, long maxmsg, long msgsize, PosixQueue toPeer, PosixQueue fromPeer) throws IOException {
            this.spec = spec;
            this.base = base;
            this.priority = priority;
            this.maxmsg = maxmsg;
            this.msgsize = msgsize;
            this.toPeer = toPeer;
            this.fromPeer = fromPeer;
            PosixQueue.Attributes a = toPeer.attributes();
            for (String f : List.of("msg_max", "msgsize_max", "msg_default", "msgsize_default", "queues_max")) {
                effective.put("/proc/sys/fs/mqueue/" + f, Proc.text(Proc.MQUEUE.resolve(f)));
            }
            long rlimit = Limits.rlimitMsgqueue();
            effective.put("RLIMIT_MSGQUEUE", rlimit < 0 ? "unlimited" : rlimit + " bytes");
            effective.put("queues", toPeer.name + " " + fromPeer.name);
            effective.put("mq_maxmsg", Long.toString(a.maxmsg()));
            effective.put("mq_msgsize", Long.toString(a.msgsize()));
            effective.put("mq_flags", Long.toString(a.flags()));
            effective.put("charged per queue (approx.)", Limits.queueBytes(a.maxmsg(), a.msgsize()) + " bytes");
            effective.put("priority", Integer.toString(priority));
            ExitCleanup.register(this);
        }

        @Override
        public ChannelSpec peerSpec() {
            return spec.with("name", base).with(SERVER_PID, Long.toString(ProcessHandle.current().pid()));
        }

        @Override
        public Channel accept(Duration timeout, Optional<Process> peer) throws IOException {
            MqChannel channel;
            synchronized (this) {
                if (closed) throw new org.ipclab.core.IpcException("mqueue: server end is closed");
                if (current != null) current.close(); // ends the session: fresh queues (see nextSession)
                channel = new MqChannel(toPeer, fromPeer, (int) toPeer.attributes().msgsize(), priority, PeerLiveness.nobody());
                channel.afterClose(this::nextSession);
                current = channel;
            }
            peer.ifPresent(p -> channel.watch(PeerLiveness.of(p, "peer")));
            long pid = channel.awaitAttach(timeout);
            if (peer.isEmpty()) channel.watch(PeerLiveness.ofPid(pid, "peer"));
            effective.put("peer pid", Long.toString(pid));
            return channel;
        }

        /** Called when a session's channel has closed (and with it both descriptors): new queues for the next peer. */
        private synchronized void nextSession() throws IOException {
            current = null;
            if (closed) return;
            PosixQueue.unlink(toPeer.name);
            PosixQueue.unlink(fromPeer.name);
            toPeer = PosixQueue.create(toPeer.name, maxmsg, msgsize);
            fromPeer = PosixQueue.create(fromPeer.name, maxmsg, msgsize);
        }

        @Override
        public Map<String, String> effectiveParameters() {
            return effective;
        }

        @Override
        public List<String> createdObjects() {
            return List.of("mqueue:" + toPeer.name, "mqueue:" + fromPeer.name);
        }

        @Override
        public void close() {
            MqChannel channel;
            synchronized (this) {
                if (closed) return;
                closed = true;
                channel = current;
            }
            try {
                if (channel != null) channel.close();
            } finally {
                synchronized (this) {
                    toPeer.close();
                    fromPeer.close();
                    PosixQueue.unlink(toPeer.name);
                    PosixQueue.unlink(fromPeer.name);
                    ExitCleanup.forget(this);
                }
            }
        }
    }
}
