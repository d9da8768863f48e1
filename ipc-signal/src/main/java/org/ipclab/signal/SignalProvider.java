package org.ipclab.signal;

import java.io.IOException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.ipclab.core.BadInputException;
import org.ipclab.core.Capability;
import org.ipclab.core.Channel;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.IpcException;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.MechanismOption;
import org.ipclab.core.ServerEnd;

/**
 * Signals as a notification channel: a message is the arrival of a signal. Two routes:
 * {@code route=rt} (default) — a real-time signal queued with {@code sigqueue} and taken with
 * {@code sigtimedwait}, carrying up to 4 bytes, the calls made through jnr-ffi or, {@code io=ffm} (the
 * default on JDK 22+), {@code java.lang.foreign} ({@link SignalIo}); {@code route=handler} — SIGUSR1 sent with
 * {@code kill} and caught by a {@code sun.misc.Signal} handler, carrying nothing. Signals go only
 * to the peer process ipclab started, and from it only to its parent.
 */
public final class SignalProvider implements ChannelProvider {
    static final String SERVER_PID = ChannelSpec.SERVER_PID;
    static final String SERVER_TID = ChannelSpec.INTERNAL_PREFIX + "server-tid";

    @Override
    public String name() {
        return "signal";
    }

    /** Not RELIABLE: standard signals (route=handler) are merged when a second one arrives before the first is handled. */
    @Override
    public MechanismInfo describe(ChannelSpec spec) {
        boolean handler = handlerRoute(spec);
        return MechanismInfo.builder("signal")
                .description("signals as notifications: real-time sigqueue/sigtimedwait with a 4-byte payload"
                        + " (through jnr-ffi or, io=ffm, java.lang.foreign), or kill + JVM handler (route=handler, 0 bytes)")
                .capabilities(Capability.NOTIFICATION, Capability.BIDIRECTIONAL, Capability.RELATED_PROCESSES_ONLY)
                .maxMessageSize(handler ? 0 : RtChannel.MAX)
                .options(MechanismOption.choice("route", "rt", "rt: sigqueue + sigtimedwait, 4-byte payload;"
                                + " handler: kill + sun.misc.Signal handler, no payload", "rt", "handler"),
                        MechanismOption.text("signal", null, "rt: RTMIN or RTMIN+n (RTMIN+n+1 signals the end);"
                                + " handler: USR1 or HUP (the other one signals the end); default: RTMIN (rt), USR1 (handler)"),
                        SignalIo.option())
                .peerJvmFlags(handler ? List.of() : SignalIo.jvmFlags(spec))
                .nativeProgram(handler ? null : "signal")
                .unavailableBecause(() -> unavailableBecause())
                .build();
    }

    private static Optional<String> unavailableBecause() {
        try {
            SigLib.sigrtmin();
            return Optional.empty();
        } catch (Throwable t) {
            return Optional.of("jnr-ffi could not bind libc: " + t);
        }
    }

    static boolean handlerRoute(ChannelSpec spec) {
        String r = spec.option("route", "rt").toLowerCase(Locale.ROOT);
        if (r.equals("handler")) return true;
        if (r.equals("rt")) return false;
        throw new BadInputException("option route=" + r + " is not a route (use rt or handler)");
    }

    /** USR1 or HUP; anything else is refused with the reason. */
    static String handlerSignal(ChannelSpec spec) {
        String s = spec.option("signal", "USR1").toUpperCase(Locale.ROOT).replaceFirst("^SIG", "");
        switch (s) {
            case "USR1":
            case "HUP":
                return s;
            case "KILL":
            case "STOP":
                throw new BadInputException("SIG" + s + " can be neither caught nor ignored: the kernel acts on it without asking the process");
            case "QUIT": case "SEGV": case "FPE": case "ILL":
                throw new BadInputException("SIG" + s + " is reserved by the JVM (" + SignalFacts.jvmUse(s) + "); use USR1 or HUP");
            case "USR2": case "BUS": case "ABRT": case "TRAP":
                throw new BadInputException("SIG" + s + ": the JVM lets an application catch it, but ipclab does not use it ("
                        + SignalFacts.jvmUse(s) + (s.equals("USR2") ? "; sending it from outside has crashed HotSpot, JDK-8288556" : "") + "); use USR1 or HUP");
            default:
                throw new BadInputException("signal=" + s + ": ipclab sends only SIGUSR1 or SIGHUP on the handler route (INT/TERM would stop a JVM, USR2 has crashed HotSpot: JDK-8288556)");
        }
    }

    /** RTMIN+n, checked so that RTMIN+n+1 (the end signal) is still a real-time signal. */
    static int rtSignal(ChannelSpec spec) {
        String s = spec.option("signal", "RTMIN").toUpperCase(Locale.ROOT).replaceFirst("^SIG", "");
        int min = SigLib.sigrtmin();
        int max = SigLib.libc().__libc_current_sigrtmax();
        int sig;
        try {
            if (s.equals("RTMIN")) sig = min;
            else if (s.startsWith("RTMIN+")) sig = min + Integer.parseInt(s.substring(6));
            else throw new NumberFormatException();
        } catch (NumberFormatException e) {
            throw new BadInputException("signal=" + s + " is not a real-time signal (use RTMIN or RTMIN+n)");
        }
        if (sig < min || sig + 1 > max) {
            throw new BadInputException("signal=" + s + " is outside SIGRTMIN.." + "SIGRTMAX-1 (" + min + ".." + (max - 1) + ")");
        }
        return sig;
    }

    @Override
    public ServerEnd open(ChannelSpec spec) throws IOException {
        if (handlerRoute(spec)) {
            String sig = handlerSignal(spec);
            return new SignalServerEnd(spec, new HandlerChannel(sig, null), 0, sig, 0);
        }
        int sig = rtSignal(spec);
        SignalIo io = SignalIo.of(spec);
        RtChannel ch = RtChannel.runnerSide(sig, io.open(sig, sig + 1));
        SignalServerEnd end = new SignalServerEnd(spec, ch, sig, "RTMIN+" + (sig - SigLib.sigrtmin()), ch.initialTid());
        end.effective.put(SignalIo.OPTION, io.label());
        return end;
    }

    @Override
    public Channel connect(ChannelSpec spec, Duration timeout) throws IOException {
        long serverPid = Long.parseLong(spec.option(SERVER_PID).orElseThrow(
                () -> new BadInputException("signal connect needs the server pid (it is set by ipclab's launcher)")));
        if (handlerRoute(spec)) return new HandlerChannel(handlerSignal(spec), Peer.parent(serverPid));
        int sig = rtSignal(spec);
        RtCalls calls = SignalIo.of(spec).open(sig, sig + 1);
        Peer server = Peer.parent(serverPid, calls::getppid);
        if (!blockedHere(sig) || !blockedHere(sig + 1)) {
            throw new IpcException("signal: this process was not started with signal " + sig + " blocked in every thread, so receiving it would kill it;"
                    + " the real-time route's peer must be started by ipclab's launcher (posix_spawnp from a thread that blocks it)");
        }
        int tid = Integer.parseInt(spec.option(SERVER_TID).orElse("0"));
        return RtChannel.peerSide(sig, server, tid, calls);
    }

    /** True when every thread of this process has the signal blocked (SigBlk in /proc/self/task/<tid>/status). */
    static boolean blockedHere(int sig) {
        long bit = 1L << (sig - 1);
        try (java.nio.file.DirectoryStream<java.nio.file.Path> tasks = java.nio.file.Files.newDirectoryStream(java.nio.file.Path.of("/proc/self/task"))) {
            for (java.nio.file.Path t : tasks) {
                for (String line : java.nio.file.Files.readAllLines(t.resolve("status"))) {
                    if (!line.startsWith("SigBlk:")) continue;
                    String hex = line.substring(7).trim();
                    // 64 signals as 16 hex digits; signal n is bit n-1
                    long mask = Long.parseUnsignedLong(hex.length() > 16 ? hex.substring(hex.length() - 16) : hex, 16);
                    if ((mask & bit) == 0) return false;
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static final class SignalServerEnd implements ServerEnd {
        private final ChannelSpec spec;
        private final Channel channel;
        private final int rtSignal;
        private final int tid;
        private final Map<String, String> effective = new LinkedHashMap<>();

        SignalServerEnd(ChannelSpec spec, Channel channel, int rtSignal, String signalName, int tid) {
            this.spec = spec;
            this.channel = channel;
            this.rtSignal = rtSignal;
            this.tid = tid;
            effective.put("route", rtSignal == 0 ? "handler (kill + sun.misc.Signal)" : "rt (sigqueue + sigtimedwait)");
            effective.put("signal", rtSignal == 0 ? "SIG" + signalName : signalName + " = " + rtSignal + " (end: " + (rtSignal + 1) + ")");
            effective.put("payload bytes", Integer.toString(channel.maxMessageSize()));
            effective.put("SIGRTMIN..SIGRTMAX", SigLib.sigrtmin() + ".." + SigLib.libc().__libc_current_sigrtmax());
            effective.put("RLIMIT_SIGPENDING", rlimitSigpending());
            if (tid != 0) effective.put("runner thread first replied to (tid)", Integer.toString(tid));
        }

        private static String rlimitSigpending() {
            try {
                for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/limits"))) {
                    if (line.startsWith("Max pending signals")) return line.substring(26).trim().split("\\s+")[0];
                }
            } catch (IOException ignored) {
                // unknown
            }
            return "unknown";
        }

        @Override
        public ChannelSpec peerSpec() {
            ChannelSpec s = spec.with(SERVER_PID, Long.toString(ProcessHandle.current().pid()));
            if (tid != 0) s = s.with(SERVER_TID, Integer.toString(tid));
            return s;
        }

        @Override
        public Process startPeer(ProcessBuilder peer) throws IOException {
            if (rtSignal == 0) return peer.start(); // handler route: a ProcessBuilder child is fine
            return SpawnedProcess.spawn(peer.command(), rtSignal, rtSignal + 1);
        }

        @Override
        public Channel accept(Duration timeout, Optional<Process> peer) throws IOException {
            Process p = peer.orElseThrow(() -> new BadInputException(
                    "signal: ipclab signals only a peer process it started itself; there is none here (ipc serve cannot offer one)"));
            Peer target = Peer.child(p);
            if (channel instanceof RtChannel) ((RtChannel) channel).peer(target);
            else ((HandlerChannel) channel).peer(target);
            effective.put("peer pid", Long.toString(p.pid()));
            return channel;
        }

        @Override
        public Map<String, String> effectiveParameters() {
            return effective;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
