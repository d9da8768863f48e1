package org.ipclab.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.BadInputException;
import org.ipclab.core.Capability;
import org.ipclab.core.Channel;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.IpcException;
import org.ipclab.core.IpcTimeoutException;
import org.ipclab.core.Providers;
import org.ipclab.core.ServerEnd;
import org.ipclab.core.io.IoRoute;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ChannelSpec#FAN_IN_WRITERS} on a datagram server end: two independent client processes'
 * datagrams both reach its one channel; without the option it still serves one client at a time
 * (the second is refused: unix-dgram EPERM "busy", udp no answer to its JOIN).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DatagramFanInTest {
    private static final int COUNT = 50;
    private static final Duration WAIT = Duration.ofSeconds(10);

    @ParameterizedTest
    @CsvSource({"udp, nio", "udp, ffm", "unix-dgram, nio", "unix-dgram, ffm"})
    void withTheOptionTwoWritersReachTheOneChannel(String mechanism, String io) throws IOException, InterruptedException {
        assumeTrue(!io.equals("ffm") || IoRoute.ffmUnavailable().isEmpty(), () -> IoRoute.ffmUnavailable().orElse(""));
        ChannelSpec spec = ChannelSpec.of(mechanism).with(IoRoute.OPTION, io).with(ChannelSpec.FAN_IN_WRITERS, "2");
        ChannelProvider provider = Providers.forSpec(spec);
        assertTrue(provider.describe(spec).has(Capability.FAN_IN));
        List<Process> writers = new ArrayList<>();
        try (ServerEnd server = provider.open(spec)) {
            assertEquals("2", server.peerSpec().option(ChannelSpec.FAN_IN_WRITERS).orElse(null), "the writers learn it from the peer spec");
            writers.add(writer("a", server.peerSpec(), WAIT));
            writers.add(writer("b", server.peerSpec(), WAIT));
            try (Channel ch = server.accept(WAIT, Optional.empty())) {
                Map<String, Integer> next = new LinkedHashMap<>(Map.of("a", 0, "b", 0));
                ByteBuffer in = ByteBuffer.allocate(ch.maxMessageSize());
                while (next.values().stream().anyMatch(n -> n < COUNT)) {
                    in.clear();
                    int n = ch.receive(in, WAIT);
                    String[] m = new String(in.array(), 0, n, StandardCharsets.US_ASCII).split(" ");
                    assertEquals(next.get(m[0]), Integer.parseInt(m[1]), () -> "writer " + m[0] + "'s datagrams in order: " + next);
                    next.put(m[0], next.get(m[0]) + 1);
                }
                IpcException e = assertThrows(IpcException.class, () -> ch.send(ByteBuffer.wrap(new byte[] {1}), WAIT));
                assertTrue(e.getMessage().contains("2 writers share"), e.getMessage());
            }
            assertEquals("2 writers into one unconnected socket", server.effectiveParameters().get("fan-in"));
        } finally {
            for (Process w : writers) finish(w);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"udp", "unix-dgram"})
    void withoutItASecondClientIsRefusedWhileTheFirstIsServed(String mechanism) throws IOException, InterruptedException {
        ChannelSpec spec = ChannelSpec.of(mechanism);
        ChannelProvider provider = Providers.forSpec(spec);
        try (ServerEnd server = provider.open(spec)) {
            Process a = writer("a", server.peerSpec(), WAIT);
            try (Channel ch = server.accept(WAIT, Optional.of(a))) {
                ByteBuffer in = ByteBuffer.allocate(ch.maxMessageSize());
                for (int i = 0; i < COUNT; i++) {
                    in.clear();
                    int n = ch.receive(in, WAIT);
                    assertEquals("a " + i, new String(in.array(), 0, n, StandardCharsets.US_ASCII));
                }
                Process b = writer("b", server.peerSpec(), Duration.ofMillis(500));
                assertTrue(b.waitFor(20, TimeUnit.SECONDS), "the second client gave up");
                String said = new String(b.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals(1, b.exitValue(), said);
                assertTrue(said.contains(mechanism.equals("udp") ? "no answer from the server to our JOIN" : "busy with another client"), said);
                in.clear();
                assertThrows(IpcTimeoutException.class, () -> ch.receive(in, Duration.ofMillis(200)), "nothing of b's reached a's channel");
            } finally {
                finish(a);
            }
        }
    }

    @Test
    void aWriterCountThatIsNotOneIsRefusedInOneLine() {
        ChannelSpec spec = ChannelSpec.of("udp").with(ChannelSpec.FAN_IN_WRITERS, "0");
        BadInputException e = assertThrows(BadInputException.class, () -> Providers.forSpec(spec).open(spec).close());
        assertTrue(e.getMessage().contains(ChannelSpec.FAN_IN_WRITERS + "=0"), e.getMessage());
    }

    /** A {@link DatagramWriterMain} process sending COUNT datagrams tagged {@code tag}. */
    private static Process writer(String tag, ChannelSpec peerSpec, Duration connectTimeout) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!arg.startsWith("-agentlib:jdwp") && !arg.startsWith("-javaagent")) cmd.add(arg);
        }
        for (String flag : Providers.forSpec(peerSpec).describe(peerSpec).peerJvmFlags()) if (!cmd.contains(flag)) cmd.add(flag);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), DatagramWriterMain.class.getName(), tag, Integer.toString(COUNT),
                Long.toString(connectTimeout.toMillis()), peerSpec.mechanism()));
        peerSpec.options().forEach((k, v) -> cmd.add(k + "=" + v));
        return new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static void finish(Process p) throws InterruptedException {
        try {
            p.getOutputStream().close();
        } catch (IOException ignored) {
            // gone already
        }
        if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
    }
}
