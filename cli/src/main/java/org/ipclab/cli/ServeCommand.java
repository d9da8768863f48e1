package org.ipclab.cli;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import org.ipclab.core.BadInputException;
import org.ipclab.core.Capability;
import org.ipclab.core.Channel;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.ExitCleanup;
import org.ipclab.core.IpcException;
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
                "the documented wire format (docs/wire-format.md). Serves one client at",
                "a time until Ctrl-C."})
final class ServeCommand implements Callable<Integer>, ChannelOptions.User {
    private static final Duration ACCEPT = Duration.ofDays(1);

    @Option(names = {"-m", "--mechanism"}, required = true, paramLabel = "NAME", description = "Mechanism to serve (see 'ipc list').")
    String mechanism;

    @Mixin
    ChannelOptions channelOptions;

    @Option(names = "--once", description = "Exit after the first client leaves.")
    boolean once;

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
        try (ServerEnd server = ExitCleanup.register(provider.open(spec))) {
            System.out.println("ipc serve: " + mechanism + " ready (pid " + ProcessHandle.current().pid() + ") at "
                    + describe(server.peerSpec().userOptions()));
            System.out.println("  connect with: ipc connect -m " + mechanism + connectArgs(mechanism, server.peerSpec().userOptions()) + " hello");
            System.out.println("  stop with Ctrl-C (removes what it created)");
            System.out.flush();
            int clients = 0;
            do {
                Channel ch = server.accept(ACCEPT, Optional.empty());
                clients++;
                System.err.println("ipc serve: client " + clients + " connected");
                try (ch) {
                    protocol.serve(ch);
                    System.err.println("ipc serve: client " + clients + " left");
                } catch (IOException e) {
                    System.err.println("ipc serve: client " + clients + ": " + e.getMessage());
                }
            } while (!once);
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

    /** Tells the server this client is done (it goes back to waiting for the next one). */
    static void sayStop(Channel ch, PeerProtocol protocol) {
        try {
            protocol.stop(ch, Duration.ofSeconds(1));
        } catch (IOException | RuntimeException ignored) {
            // the server may be gone already; closing our end tells it too
        }
    }
}
