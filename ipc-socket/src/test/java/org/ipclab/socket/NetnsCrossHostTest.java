package org.ipclab.socket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.Channel;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.Providers;
import org.ipclab.core.ServerEnd;
import org.ipclab.core.peer.Control;
import org.ipclab.core.reliable.AckedChannel;
import org.ipclab.core.peer.PeerLauncher;
import org.ipclab.core.peer.Probe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * "Across hosts" without a second machine: the peer runs in its own network namespace, joined to
 * ours by a veth pair (10.251.N.1 here, 10.251.N.2 there), so every byte crosses a real IP
 * interface instead of loopback — the set-up {@code ipc serve} / {@code ipc bench --connect} use
 * between two hosts. Needs root (CAP_NET_ADMIN) and the {@code ip} tool; where the machine refuses
 * namespaces the test is skipped and says why.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class NetnsCrossHostTest {
    private static final Duration STEP = Duration.ofSeconds(10);
    private static String netns;
    private static String hostSide;
    private static String serverIp;
    private static String skipReason;

    @BeforeAll
    static void twoNamespacesJoinedByVeth() throws Exception {
        long pid = ProcessHandle.current().pid();
        int n = (int) (pid % 250) + 1;
        netns = "ipclab-" + pid + "-netns";
        hostSide = "ipclab" + (pid % 10_000_000) + "h";
        String peerSide = "ipclab" + (pid % 10_000_000) + "p";
        serverIp = "10.251." + n + ".1";
        String step = run("ip", "netns", "add", netns);
        if (step != null) {
            skipReason = "network namespaces refused here (" + step + ")";
            System.out.println("NetnsCrossHostTest skipped: " + skipReason);
            netns = null;
            return;
        }
        for (String[] cmd : List.of(
                new String[] {"ip", "link", "add", hostSide, "type", "veth", "peer", "name", peerSide},
                new String[] {"ip", "link", "set", peerSide, "netns", netns},
                new String[] {"ip", "addr", "add", serverIp + "/30", "dev", hostSide},
                new String[] {"ip", "link", "set", hostSide, "up"},
                new String[] {"ip", "-n", netns, "addr", "add", "10.251." + n + ".2/30", "dev", peerSide},
                new String[] {"ip", "-n", netns, "link", "set", peerSide, "up"},
                new String[] {"ip", "-n", netns, "link", "set", "lo", "up"})) {
            String failed = run(cmd);
            if (failed != null) {
                skipReason = "could not set up the veth pair (" + String.join(" ", cmd) + ": " + failed + ")";
                System.out.println("NetnsCrossHostTest skipped: " + skipReason);
                removeNamespace();
                return;
            }
        }
    }

    @AfterAll
    static void removeNamespace() throws Exception {
        if (netns != null) run("ip", "netns", "del", netns); // takes the peer side of the veth with it
        if (hostSide != null) run("ip", "link", "del", hostSide);
        netns = null;
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "udp"})
    void echoAndSinkAcrossTwoNetworkNamespaces(String mechanism) throws Exception {
        assumeTrue(skipReason == null, () -> skipReason);
        ChannelSpec spec = ChannelSpec.of(mechanism).with("host", serverIp);
        ChannelProvider provider = Providers.forSpec(spec);
        Process peer = null;
        try (ServerEnd server = provider.open(spec)) {
            peer = new ProcessBuilder(peerCommand(server.peerSpec())).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try (Channel ch = AckedChannel.over(server.accept(Duration.ofSeconds(30), Optional.of(peer)), provider.describe(spec))) {
                ByteBuffer in = ByteBuffer.allocateDirect(ch.maxMessageSize()).order(ByteOrder.LITTLE_ENDIAN);
                int n = ch.receive(in, Duration.ofSeconds(30));
                in.flip();
                assertEquals(Control.HELLO, Control.opcode(in, n), "HELLO from the other namespace");

                Random random = new Random(5);
                for (int size : new int[] {16, 1000, 8000}) {
                    byte[] sent = new byte[size];
                    random.nextBytes(sent);
                    ch.send(ByteBuffer.wrap(sent), STEP);
                    in.clear();
                    assertEquals(size, ch.receive(in, STEP));
                    byte[] got = new byte[size];
                    in.flip().get(got);
                    assertArrayEquals(sent, got);
                }

                int count = 2000;
                AckedChannel.send(ch, Control.message(Control.SINK), STEP);
                Probe probe = new Probe();
                ByteBuffer msg = Probe.newBuffer(256);
                int fill = probe.fillChecksum(msg);
                for (int seq = 0; seq < count; seq++) {
                    probe.stamp(msg, seq, System.nanoTime(), fill);
                    ch.send(msg, STEP);
                }
                AckedChannel.send(ch, Control.message(Control.SINK_END, count), STEP);
                in.clear();
                n = ch.receive(in, STEP);
                in.flip();
                assertEquals(Control.STATS, Control.opcode(in, n), "STATS");
                long received = Control.arg(in, 0);
                assertEquals(0, Control.arg(in, 2), "corrupt");
                if (mechanism.equals("tcp")) assertEquals(count, received, "tcp delivers everything");
                else assertTrue(received > 0 && received <= count, "udp received " + received);
                System.out.println(mechanism + " across namespaces via " + serverIp + ": " + received + "/" + count + " probes; " + server.effectiveParameters());

                AckedChannel.send(ch, Control.message(Control.STOP), STEP);
            }
            assertTrue(peer.waitFor(20, TimeUnit.SECONDS), "peer exits after STOP");
            assertEquals(0, peer.exitValue(), "peer exit code");
        } finally {
            if (peer != null && peer.isAlive()) {
                peer.destroyForcibly();
                peer.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private static List<String> peerCommand(ChannelSpec peerSpec) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns,
                ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()),
                "-cp", System.getProperty("java.class.path"), PeerLauncher.PEER_MAIN, "peer", "--mechanism", peerSpec.mechanism()));
        for (Map.Entry<String, String> o : peerSpec.options().entrySet()) {
            cmd.add("--opt");
            cmd.add(o.getKey() + "=" + o.getValue());
        }
        cmd.add("--connect-timeout");
        cmd.add("20s");
        return cmd;
    }

    /** Runs a command; null when it succeeded, else its exit code and output on one line. */
    private static String run(String... cmd) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim().replace('\n', ' ');
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "timed out";
            }
            return p.exitValue() == 0 ? null : "exit " + p.exitValue() + (out.isEmpty() ? "" : ": " + out);
        } catch (IOException e) {
            return e.getMessage();
        }
    }
}
