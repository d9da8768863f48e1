package org.ipclab.bench.fanin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.ipclab.bench.BenchConfig;
import org.ipclab.bench.Mode;
import org.ipclab.bench.Results;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.Providers;
import org.junit.jupiter.api.Test;

/**
 * People a fan-in run did not start: a program ipclab did not write that connects to the server
 * end before the clients (silent, or speaking garbage), and a second user. Neither may take a
 * client's place or end the run for the clients: every client still finishes clean.
 */
class FanInStrangerTest {
    private static final int CLIENTS = 3;

    private static BenchConfig cfg(String mechanism) {
        return new BenchConfig(List.of(mechanism), List.of(Mode.THROUGHPUT), List.of(64), Duration.ofMillis(100),
                Duration.ofMillis(300), 0, 1, Duration.ofSeconds(10), Map.of(), 0);
    }

    @Test
    void silentAndGarbageConnectionsOverTcpDoNotTakeAClientsPlace() throws IOException {
        List<Socket> strangers = new ArrayList<>();
        FanIn fanIn = new FanIn().onOpened(peer -> {
            String host = peer.option("host", "127.0.0.1");
            int port = Integer.parseInt(peer.option("port", "0"));
            try {
                strangers.add(new Socket(host, port)); // connects and says nothing
                Socket garbage = new Socket(host, port);
                strangers.add(garbage);
                OutputStream out = garbage.getOutputStream();
                out.write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)); // not an ipclab frame
                out.flush();
            } catch (IOException e) {
                throw new IllegalStateException("the stranger could not connect to " + host + ":" + port, e);
            }
        });
        try {
            Results.Measurement m = fanIn.measure(Providers.get("tcp"), ChannelSpec.of("tcp"), Mode.THROUGHPUT, 64, CLIENTS, cfg("tcp"));
            FanInTest.assertEveryClientClean(m, CLIENTS, Mode.THROUGHPUT);
        } finally {
            for (Socket s : strangers) s.close();
        }
        assertEquals(2, strangers.size());
    }

    @Test
    void aSecondUserCannotReachAUnixSocketServer() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) && Files.isExecutable(Path.of("/usr/bin/python3")), "needs setpriv and python3");
        assumeTrue("root".equals(System.getProperty("user.name")), "playing a second user needs root");
        String[] result = new String[1];
        FanIn fanIn = new FanIn().onOpened(peer -> result[0] = connectAsNobody(peer.option("path", "")));
        Results.Measurement m = fanIn.measure(Providers.get("unix"), ChannelSpec.of("unix"), Mode.THROUGHPUT, 64, CLIENTS, cfg("unix"));
        FanInTest.assertEveryClientClean(m, CLIENTS, Mode.THROUGHPUT);
        assertTrue(result[0].startsWith("refused"), "uid 65534 reached the fan-in server's socket: " + result[0]);
    }

    /** Connects to {@code socket} as uid 65534 and writes garbage; "refused ..." or "connected". */
    private static String connectAsNobody(String socket) {
        String script = "import socket,sys\n"
                + "s=socket.socket(socket.AF_UNIX,socket.SOCK_STREAM)\n"
                + "try:\n"
                + "    s.connect(sys.argv[1]); s.sendall(b'\\xff'*64); print('connected')\n"
                + "except OSError as e:\n"
                + "    print('refused', e.strerror)\n";
        try {
            Process p = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    "/usr/bin/python3", "-c", script, socket).redirectErrorStream(true).start();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "hung";
            }
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "could not start: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
