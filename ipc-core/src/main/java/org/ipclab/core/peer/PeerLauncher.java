package org.ipclab.core.peer;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.ipclab.core.Channel;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.ExitCleanup;
import org.ipclab.core.IpcException;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.Providers;
import org.ipclab.core.ServerEnd;
import org.ipclab.core.reliable.AckedChannel;

/**
 * Starts the peer JVM — same java binary, class path and JVM flags as this one — connects to it
 * over the mechanism under test and waits for its HELLO. Every failure on the way names the
 * peer's exit code and the last lines it wrote to stderr, rather than hanging.
 *
 * <pre>{@code
 * try (PeerSession peer = PeerLauncher.launch(ChannelSpec.of("tcp"), Duration.ofSeconds(30))) {
 *     peer.channel().send(message, Duration.ofSeconds(1));
 * }   // STOP, wait, destroy; kernel objects removed
 * }</pre>
 */
public final class PeerLauncher {
    /** The peer's main class; the CLI's hidden {@code ipc peer} command runs the same code. */
    public static final String PEER_MAIN = PeerMain.class.getName();

    private PeerLauncher() {
    }

    public static PeerSession launch(ChannelSpec spec, Duration startTimeout) throws IOException {
        return launch(Providers.forSpec(spec), spec, startTimeout);
    }

    public static PeerSession launch(ChannelProvider provider, ChannelSpec spec, Duration startTimeout) throws IOException {
        MechanismInfo info = provider.describe(spec);
        PeerProtocol protocol = PeerProtocol.of(info);
        ServerEnd server = provider.open(spec);
        ExitCleanup.register(server);
        Process process = null;
        StderrTail stderr = null;
        AutoCloseable killer = null;
        try {
            ChannelSpec peerSpec = server.peerSpec();
            ProcessBuilder pb = new ProcessBuilder(command(info, peerSpec, startTimeout));
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.redirectError(ProcessBuilder.Redirect.PIPE);
            process = server.startPeer(pb);
            Process started = process;
            killer = started::destroyForcibly;
            ExitCleanup.register(killer);
            stderr = StderrTail.follow(process);
            // A peer that dies before connecting must end the wait at once, not at the timeout.
            AtomicBoolean connected = new AtomicBoolean();
            process.onExit().thenRun(() -> {
                if (!connected.get()) closeQuietly(server);
            });
            Channel channel;
            try {
                channel = AckedChannel.over(server.accept(startTimeout, Optional.of(process)), info);
            } catch (IOException e) {
                throw failure("peer did not connect", e, process, stderr);
            }
            connected.set(true);
            PeerSession session = new PeerSession(provider, info, server, process, channel, stderr);
            ExitCleanup.forget(killer);
            awaitHello(session, protocol, startTimeout);
            return session;
        } catch (IOException | RuntimeException e) {
            if (process != null) process.destroyForcibly();
            closeQuietly(server);
            ExitCleanup.forget(server);
            if (killer != null) ExitCleanup.forget(killer);
            throw e;
        }
    }

    private static void awaitHello(PeerSession session, PeerProtocol protocol, Duration timeout) throws IOException {
        try {
            protocol.awaitHello(session.channel(), timeout);
        } catch (IOException e) {
            session.kill();
            IpcException failure = failure("no HELLO from the peer", e, session.process(), session.stderr());
            session.close();
            throw failure;
        }
    }

    /** An error that says what the peer did: still running, or exited with which code, and its last words. */
    static IpcException failure(String what, IOException cause, Process process, StderrTail stderr) {
        StringBuilder sb = new StringBuilder(what).append(": ");
        try {
            process.waitFor(300, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!process.isAlive()) {
            sb.append(describeExit(process));
            String last = stderr == null ? "" : stderr.lastLines();
            if (!last.isEmpty()) sb.append("; it said: ").append(last);
        } else {
            sb.append(cause.getMessage());
        }
        return new IpcException(sb.toString(), cause);
    }

    /** "peer (pid 123) exited with code 1" or "... was killed by signal 9 (SIGKILL)". */
    static String describeExit(Process process) {
        int code = process.exitValue();
        String who = "peer (pid " + process.pid() + ")";
        if (code > 128 && code < 160) {
            int sig = code - 128;
            return who + " was killed by signal " + sig + (sig == 9 ? " (SIGKILL)" : sig == 15 ? " (SIGTERM)" : sig == 6 ? " (SIGABRT)" : "");
        }
        return who + " exited with code " + code;
    }

    /** java [same flags] -cp [same class path] org.ipclab.core.peer.PeerMain peer --mechanism ... */
    static List<String> command(MechanismInfo info, ChannelSpec peerSpec, Duration connectTimeout) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        List<String> flags = new ArrayList<>();
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // A debugger agent would try to bind the same port twice.
            if (arg.startsWith("-agentlib:jdwp") || arg.startsWith("-Xrunjdwp")) continue;
            flags.add(arg);
        }
        for (String flag : info.peerJvmFlags()) {
            if (!flags.contains(flag)) flags.add(flag);
        }
        cmd.addAll(flags);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(PEER_MAIN);
        cmd.add("peer");
        cmd.add("--mechanism");
        cmd.add(peerSpec.mechanism());
        for (Map.Entry<String, String> o : peerSpec.options().entrySet()) {
            cmd.add("--opt");
            cmd.add(o.getKey() + "=" + o.getValue());
        }
        cmd.add("--connect-timeout");
        cmd.add(connectTimeout.toMillis() + "ms");
        return cmd;
    }

    /** The java binary this JVM runs: a child JVM started with it is the same JDK. */
    public static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // best effort
        }
    }
}
