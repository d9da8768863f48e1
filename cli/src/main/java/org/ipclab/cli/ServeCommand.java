package org.ipclab.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
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
import org.ipclab.core.peer.Control;
import org.ipclab.core.peer.PeerMain;
import org.ipclab.core.reliable.AckedChannel;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run an echo server on a mechanism, for other terminals.",
                "Clients: 'ipc connect', 'ipc bench --connect', or any program that speaks",
                "the documented wire format (docs/wire-format.md). Serves one client at",
                "a time until Ctrl-C."})
final class ServeCommand implements Callable<Integer> {
    private static final Duration ACCEPT = Duration.ofDays(1);

    @Option(names = {"-m", "--mechanism"}, required = true, paramLabel = "NAME", description = "Mechanism to serve (see 'ipc list').")
    String mechanism;

    @Mixin
    ChannelOptions channelOptions;

    @Option(names = "--once", description = "Exit after the first client leaves.")
    boolean once;

    @Override
    public Integer call() throws IOException {
        ChannelSpec spec = ChannelSpec.of(mechanism, channelOptions.toMap());
        ChannelProvider provider = Providers.forSpec(spec);
        if (provider.has(Capability.RELATED_PROCESSES_ONLY)) {
            throw new BadInputException("mechanism '" + mechanism + "' only connects a parent and the child it starts;"
                    + " use 'ipc bench -m " + mechanism + "' or 'ipc demo " + mechanism + "'");
        }
        try (ServerEnd server = ExitCleanup.register(provider.open(spec))) {
            System.out.println("ipc serve: " + mechanism + " ready (pid " + ProcessHandle.current().pid() + ") at "
                    + describe(server.peerSpec().options()));
            System.out.println("  connect with: ipc connect -m " + mechanism + connectArgs(server.peerSpec().options()) + " hello");
            System.out.println("  stop with Ctrl-C (removes what it created)");
            System.out.flush();
            int clients = 0;
            do {
                Channel ch = AckedChannel.over(server.accept(ACCEPT, Optional.empty()), provider);
                clients++;
                System.err.println("ipc serve: client " + clients + " connected");
                try (ch) {
                    PeerMain.serve(ch);
                    System.err.println("ipc serve: client " + clients + " left");
                } catch (IOException e) {
                    System.err.println("ipc serve: client " + clients + ": " + e.getMessage());
                }
            } while (!once);
        }
        return ExitCodes.OK;
    }

    private static String describe(Map<String, String> options) {
        return options.entrySet().stream().filter(e -> !e.getKey().startsWith("ipclab."))
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }

    private static String connectArgs(Map<String, String> options) {
        StringBuilder sb = new StringBuilder();
        options.forEach((k, v) -> {
            if (k.equals("path") || k.equals("port") || k.equals("host")) sb.append(" --").append(k).append(' ').append(v);
            else sb.append(" --opt ").append(k).append('=').append(v); // ipclab.* too: sysv-mqueue's msqids are how a client finds the queues
        });
        return sb.toString();
    }

    /** A server greets each client with HELLO [pid]; returns the pid. */
    static long awaitHello(Channel ch, Duration timeout) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(Math.max(64, ch.maxMessageSize())).order(ByteOrder.LITTLE_ENDIAN);
        int n = ch.receive(b, timeout);
        b.flip();
        if (n < 0 || Control.opcode(b, n) != Control.HELLO) {
            throw new IpcException(n < 0 ? "server closed the connection before greeting" : "server did not greet with HELLO: not an ipclab server?");
        }
        return Control.arg(b, 0);
    }

    /** Tells the server this client is done (it goes back to waiting for the next one). */
    static void sayStop(Channel ch) {
        try {
            AckedChannel.send(ch, Control.message(Control.STOP), Duration.ofSeconds(1));
        } catch (IOException | RuntimeException ignored) {
            // the server may be gone already; closing our end tells it too
        }
    }
}
