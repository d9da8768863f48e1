package org.ipclab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.ipclab.core.Channel;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.Providers;
import org.ipclab.core.Users;
import org.ipclab.core.peer.PeerProtocol;
import org.ipclab.core.reliable.AckedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A datagram {@code ipc serve} (udp, unix-dgram) against a process that floods it with JOINs — the
 * datagram a client introduces itself with — from several sockets at once, some of them a
 * stranger's STOP instead: during a session (it must neither take the session over nor end it),
 * and between sessions, also as a second uid. Afterwards a normal client is served, and the flood
 * cost a few lines on stderr, not one per datagram.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServeDatagramAttackTest {
    private static final int SOCKETS = 8;
    private static final int DATAGRAMS = 3000;

    /**
     * The flooder: argv = mechanism, target (udp port, unix path or @abstract), datagrams, sockets,
     * file|abstract (what a unix socket binds), stops (1: every tenth datagram a STOP). Prints how
     * many the kernel took. Unix sends wait a little for room (a unix datagram queue is short), UDP
     * ones do not (the kernel drops what does not fit); all of it ends within 10 s.
     */
    private static final String FLOOD = String.join("\n",
            "import socket, sys, os, shutil",
            "import time",
            "mech, target, n, k, bind, stops = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6] == '1'",
            "join = (0x6A545044554C4349).to_bytes(8, 'little') + bytes(4)",
            "stop = b'IPCLAB!\\x00' + (2).to_bytes(4, 'little')",
            "socks, d = [], None",
            "if mech == 'udp':",
            "    addr = ('127.0.0.1', int(target))",
            "    socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(k)]",
            "else:",
            "    addr = '\\0' + target[1:] if target.startswith('@') else target",
            "    d = '/tmp/ipclab-%d-flood' % os.getpid()",
            "    os.mkdir(d, 0o700)",
            "    for i in range(k):",
            "        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)",
            "        s.bind('\\0ipclab-%d-flood-%d' % (os.getpid(), i) if bind == 'abstract' else '%s/s%d' % (d, i))",
            "        socks.append(s)",
            "for s in socks: s.settimeout(0.05) if mech != 'udp' else s.setblocking(False)",
            "end = time.monotonic() + 10",
            "sent = 0",
            "try:",
            "    for i in range(n):",
            "        if time.monotonic() > end: break",
            "        try:",
            "            socks[i % k].sendto(stop if stops and i % 10 == 9 else join, addr)",
            "            sent += 1",
            "        except OSError:",
            "            pass",
            "finally:",
            "    for s in socks: s.close()",
            "    if d: shutil.rmtree(d)",
            "print(sent)");

    private Process server;
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final Map<String, String> options = new LinkedHashMap<>();
    private List<String> connectArgs;

    @AfterEach
    void stop() throws InterruptedException {
        if (server == null) return;
        server.destroy();
        server.waitFor(10, TimeUnit.SECONDS);
        server.destroyForcibly();
    }

    @ParameterizedTest
    @ValueSource(strings = {"udp", "unix-dgram"})
    void joinsFromElsewhereNeitherTakeOverNorEndASession(String mechanism) throws Exception {
        start(mechanism);
        ChannelSpec spec = ChannelSpec.of(mechanism, options);
        ChannelProvider provider = Providers.forSpec(spec);
        MechanismInfo info = provider.describe(spec);
        PeerProtocol protocol = PeerProtocol.of(info);
        try (Channel ch = AckedChannel.over(provider.connect(spec, Duration.ofSeconds(20)), info)) {
            protocol.awaitHello(ch, Duration.ofSeconds(20));
            assertEquals("before", echo(ch, "before"));
            flood(mechanism, false, "file", true);
            // Still this client's session: its echo, not a stranger's STOP or JOIN, comes back.
            assertEquals("during", echo(ch, "during"));
            assertEquals("still", echo(ch, "still"));
            protocol.stop(ch, Duration.ofSeconds(5));
        }
        servesANormalClient(mechanism);
        assertTrue(server.isAlive(), String.join("\n", log));
    }

    @ParameterizedTest
    @ValueSource(strings = {"udp", "unix-dgram"})
    void aJoinFloodBetweenSessionsCostsLinesNotTheServer(String mechanism) throws Exception {
        start(mechanism);
        int sent = flood(mechanism, false, "file", false);
        assertTrue(sent >= 100, "the flood sent only " + sent);
        servesANormalClient(mechanism);
        // The flood came from SOCKETS addresses: a session (or refusal) for a few, never one per datagram.
        assertTrue(clientLines() <= 2 * SOCKETS, clientLines() + " lines about clients:\n" + String.join("\n", log));
    }

    @ParameterizedTest
    @ValueSource(strings = {"udp", "unix-dgram-file", "unix-dgram-abstract"})
    void aJoinFloodFromAnotherUserLeavesTheServerServing(String attack) throws Exception {
        assumeTrue(Users.isRoot(), "needs root to become a second user (setpriv)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) && Files.isExecutable(Path.of("/usr/bin/python3")),
                "needs /usr/bin/setpriv and /usr/bin/python3");
        String mechanism = attack.startsWith("udp") ? "udp" : "unix-dgram";
        // A socket file in our private directory is out of another uid's reach; an abstract name is not.
        start(mechanism, mechanism.equals("udp") ? List.of() : List.of("--opt", "abstract=true"));
        int sent = flood(mechanism, true, attack.endsWith("abstract") ? "abstract" : "file", false);
        assertTrue(sent >= 100, "the flood as uid 65534 sent only " + sent);
        servesANormalClient(mechanism);
        assertTrue(clientLines() <= 2 * SOCKETS, clientLines() + " lines about clients:\n" + String.join("\n", log));
        if (attack.equals("unix-dgram-file")) {
            // Its sockets are files of uid 65534: refused by owner, each with one line naming it.
            assertTrue(log.stream().anyMatch(l -> l.contains("refused") && l.contains("uid 65534")), String.join("\n", log));
        }
    }

    private void start(String mechanism) throws IOException {
        start(mechanism, List.of());
    }

    private void start(String mechanism, List<String> extra) throws IOException {
        List<String> cmd = Ipc.command();
        cmd.addAll(List.of("serve", "-m", mechanism, "--idle-timeout", "3s"));
        if (mechanism.equals("udp")) cmd.addAll(List.of("--port", "0"));
        cmd.addAll(extra);
        server = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        String ready = String.valueOf(out.readLine());
        String connect = String.valueOf(out.readLine());
        Matcher at = Pattern.compile(" at (.*)$").matcher(ready);
        assertTrue(at.find(), "serve's first line: " + ready);
        for (String kv : at.group(1).trim().split(" ")) {
            int eq = kv.indexOf('=');
            if (eq > 0) options.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        Matcher c = Pattern.compile("connect with: ipc (.*) hello$").matcher(connect);
        assertTrue(c.find(), "serve's second line: " + connect);
        connectArgs = Arrays.asList(c.group(1).trim().split(" "));
        Thread reader = new Thread(() -> out.lines().forEach(log::add), "serve-log");
        reader.setDaemon(true);
        reader.start();
    }

    /** Runs the flooder as a separate process (as uid 65534 with {@code asNobody}) and returns how many datagrams it sent. */
    private int flood(String mechanism, boolean asNobody, String bind, boolean stops) throws Exception {
        String target = mechanism.equals("udp") ? options.get("port")
                : "true".equals(options.get("abstract")) ? "@" + options.get("path") : options.get("path");
        List<String> cmd = new ArrayList<>();
        if (asNobody) cmd.addAll(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        cmd.addAll(List.of(asNobody ? "/usr/bin/python3" : "python3", "-c", FLOOD, mechanism, target,
                Integer.toString(DATAGRAMS), Integer.toString(SOCKETS), bind, stops ? "1" : "0"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the flooder did not finish");
        assumeTrue(!out.startsWith("setpriv:"), "setpriv refused here: " + out);
        assertEquals(0, p.exitValue(), "flooder: " + out);
        return Integer.parseInt(out.lines().reduce((a, b) -> b).orElse("0").trim());
    }

    private void servesANormalClient(String mechanism) throws Exception {
        List<String> args = new ArrayList<>(connectArgs);
        args.addAll(List.of("--timeout", "30s", "after"));
        CliTest.Run ok = CliTest.ipc(args.toArray(String[]::new));
        assertEquals(0, ok.exit(), ok.all() + "\nserver:\n" + String.join("\n", log));
        assertEquals("after", ok.out().trim());
    }

    /** Lines the server wrote about one client or sender (connected / dropped / refused / left). */
    private long clientLines() {
        return log.stream().filter(l -> l.startsWith("ipc serve:") && (l.contains("connected") || l.contains("refused"))).count();
    }

    private static String echo(Channel ch, String text) throws IOException {
        ch.send(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(10));
        ByteBuffer in = ByteBuffer.allocate(ch.maxMessageSize());
        int n = ch.receive(in, Duration.ofSeconds(10));
        return new String(in.array(), 0, Math.max(n, 0), StandardCharsets.UTF_8);
    }
}
