package org.ipclab.cli;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.stream.Collectors;

import org.ipclab.core.BadInputException;
import org.ipclab.core.Capability;
import org.ipclab.core.Channel;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.ExitCleanup;
import org.ipclab.core.IpcTimeoutException;
import org.ipclab.core.Units;
import org.ipclab.core.peer.Control;
import org.ipclab.core.reliable.AckedChannel;
import org.ipclab.core.Providers;
import org.ipclab.core.ServerEnd;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.peer.PeerProtocol;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run an echo server on a mechanism, for other terminals.",
                "Clients: 'ipc connect', 'ipc bench --connect', or any program that speaks",
                "the documented wire format (docs/wire-format.md). A listening socket (tcp,",
                "unix, ...) serves up to --max-clients at once; every other mechanism one",
                "client at a time. A client silent for --idle-timeout is dropped; a client",
                "that misbehaves costs only itself. Runs until Ctrl-C."})
final class ServeCommand implements Callable<Integer>, ChannelOptions.User {
    private static final Duration ACCEPT = Duration.ofDays(1);

    @Option(names = {"-m", "--mechanism"}, required = true, paramLabel = "NAME", description = "Mechanism to serve (see 'ipc list').")
    String mechanism;

    @Mixin
    ChannelOptions channelOptions;

    @Option(names = "--once", description = "Exit after the first client leaves.")
    boolean once;

    @Option(names = "--max-clients", paramLabel = "N", defaultValue = "16",
            description = "Clients served at once where the mechanism can (default: ${DEFAULT-VALUE}); the next one is refused with REFUSED.")
    int maxClients;

    @Option(names = "--idle-timeout", paramLabel = "TIME", defaultValue = "30s", converter = Converters.DurationConverter.class,
            description = "Drop a client that sends nothing (or half a message), or reads no reply, for this long (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Override
    public ChannelOptions channelOptions() {
        return channelOptions;
    }

    @Override
    public Integer call() throws IOException {
        ChannelSpec spec = ChannelSpec.of(mechanism, channelOptions.toMap());
        ChannelProvider provider = Providers.forSpec(spec);
        MechanismInfo info = provider.describe(spec);
        PeerProtocol protocol = PeerProtocol.of(info);
        if (info.has(Capability.RELATED_PROCESSES_ONLY)) {
            throw new BadInputException("mechanism '" + mechanism + "' only connects a parent and the child it starts;"
                    + " use 'ipc bench -m " + mechanism + "' or 'ipc demo " + mechanism + "'");
        }
        if (maxClients < 1) throw new BadInputException("--max-clients " + maxClients + " must be at least 1");
        if (idleTimeout.isZero()) throw new BadInputException("--idle-timeout must be more than 0");
        boolean concurrent = info.has(Capability.CONCURRENT_SESSIONS);
        try (ServerEnd server = ExitCleanup.register(provider.open(spec))) {
            System.out.println("ipc serve: " + mechanism + " ready (pid " + ProcessHandle.current().pid() + ") at "
                    + describe(server.peerSpec().userOptions()));
            System.out.println("  connect with: ipc connect -m " + mechanism + connectArgs(mechanism, server.peerSpec().userOptions()) + " hello");
            System.out.println("  " + (concurrent ? "up to " + maxClients + " clients at once" : "one client at a time")
                    + ", idle timeout " + Units.format(idleTimeout) + "; stop with Ctrl-C (removes what it created)");
            System.out.flush();
            Semaphore slots = new Semaphore(maxClients);
            ExecutorService workers = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "ipc-serve-client");
                t.setDaemon(true);
                return t;
            });
            int clients = 0;
            while (!ExitCleanup.shuttingDown()) {
                Channel raw;
                try {
                    raw = server.accept(ACCEPT, Optional.empty());
                } catch (IpcTimeoutException e) {
                    continue;
                } catch (IOException e) {
                    if (ExitCleanup.shuttingDown()) break;
                    // A refused client (another uid, a bad greeting) costs only itself.
                    System.err.println("ipc serve: a client was refused: " + e.getMessage());
                    pause();
                    continue;
                }
                int number = ++clients;
                Channel ch = AckedChannel.over(raw, info);
                if (!concurrent || once) {
                    serveOne(ch, number, protocol);
                    if (once) break;
                    continue;
                }
                if (!slots.tryAcquire()) {
                    refuse(ch, number);
                    continue;
                }
                workers.execute(() -> {
                    try {
                        serveOne(ch, number, protocol);
                    } finally {
                        slots.release();
                    }
                });
            }
            workers.shutdownNow();
        }
        return ExitCodes.OK;
    }

    private static String describe(Map<String, String> options) {
        return options.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }

    /** What a client types to reach this server: each option by its shortcut flag when it has one. */
    private static String connectArgs(String mechanism, Map<String, String> options) {
        StringBuilder sb = new StringBuilder();
        options.forEach((k, v) -> {
            List<String> flags = ChannelOptions.shortcutsOf(mechanism, k);
            if (!flags.isEmpty()) sb.append(' ').append(flags.get(0)).append(' ').append(v);
            else sb.append(" --opt ").append(k).append('=').append(v);
        });
        return sb.toString();
    }

    private void serveOne(Channel ch, int number, PeerProtocol protocol) {
        String who = client(number, ch);
        System.err.println("ipc serve: " + who + " connected");
        try (ch) {
            protocol.serve(ch, idleTimeout);
            System.err.println("ipc serve: " + who + " left");
        } catch (IOException | RuntimeException e) {
            System.err.println("ipc serve: " + who + " dropped: " + e.getMessage());
        }
    }

    /** "client 3 (127.0.0.1:40312)": every line about one client says which one it is. */
    private static String client(int number, Channel ch) {
        String peer = ch.peer();
        return "client " + number + (peer == null || peer.isEmpty() ? "" : " (" + peer + ")");
    }

    /** The server is full: say so (REFUSED instead of HELLO) and close, rather than leave the client hanging. */
    private void refuse(Channel ch, int number) {
        System.err.println("ipc serve: " + client(number, ch) + " refused: already serving " + maxClients + " (--max-clients)");
        try (ch) {
            ch.send(Control.message(Control.REFUSED, maxClients), Duration.ofSeconds(1));
        } catch (IOException | RuntimeException ignored) {
            // it may not read: closing tells it as well
        }
    }

    /** After a failed accept: do not spin if the failure repeats. */
    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Tells the server this client is done (it goes back to waiting for the next one). */
    static void sayStop(Channel ch, PeerProtocol protocol) {
        try {
            protocol.stop(ch, Duration.ofSeconds(1));
        } catch (IOException | RuntimeException ignored) {
            // the server may be gone already; closing our end tells it too
        }
    }
}
