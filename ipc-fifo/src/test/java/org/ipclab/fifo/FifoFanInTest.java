package org.ipclab.fifo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.Capability;
import org.ipclab.core.Channel;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.IpcException;
import org.ipclab.core.IpcTimeoutException;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.MessageTooLargeException;
import org.ipclab.core.ServerEnd;
import org.ipclab.core.io.IoRoute;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** N writers into one FIFO (ChannelSpec.FAN_IN_WRITERS): whole frames from each, one stream, no one-client lock. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FifoFanInTest {
    private static final Duration STEP = Duration.ofSeconds(20);
    private final FifoProvider provider = new FifoProvider();
    private final List<Process> writers = new ArrayList<>();

    @AfterEach
    void killWriters() {
        writers.forEach(Process::destroyForcibly);
    }

    private static ChannelSpec fanIn(String io, int writers) {
        return ChannelSpec.of("fifo").with(IoRoute.OPTION, io).with(ChannelSpec.FAN_IN_WRITERS, Integer.toString(writers));
    }

    @Test
    void twoWriterProcessesFramesAllArriveWholeThroughOneChannel() throws Exception {
        twoWritersOfFullFrames("nio");
    }

    @Test
    void twoWriterProcessesOverRawReadAndWrite() throws Exception {
        assumeTrue(IoRoute.ffmUnavailable().isEmpty(), () -> IoRoute.ffmUnavailable().orElse(""));
        twoWritersOfFullFrames("ffm");
    }

    /**
     * Messages of the largest size (frame = PIPE_BUF), more than the pipe holds, from two processes
     * at once: a frame split over two writes would interleave with the other's and show as a bad
     * byte, a wrong length or a broken sequence. The stream ends only when both have closed.
     */
    private void twoWritersOfFullFrames(String io) throws Exception {
        int count = 3000, size = FanInFifo.MAX_MESSAGE;
        ChannelSpec spec = fanIn(io, 2);
        try (ServerEnd end = provider.open(spec)) {
            CompletableFuture<Channel> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return end.accept(STEP, Optional.empty());
                } catch (IOException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            for (int w = 1; w <= 2; w++) writers.add(start(w, count, size, end.peerSpec()));
            for (Process p : writers) assertEquals("ready", firstLine(p), "writer " + p.pid() + " connected");
            try (Channel ch = accepted.get(30, TimeUnit.SECONDS)) {
                assertEquals(FanInFifo.MAX_MESSAGE, ch.maxMessageSize());
                for (Process p : writers) say(p, "go");
                int[] next = new int[3];
                ByteBuffer in = ByteBuffer.allocateDirect(ch.maxMessageSize()).order(ByteOrder.LITTLE_ENDIAN);
                int n;
                while ((n = receive(ch, in.clear())) != Channel.END_OF_STREAM) {
                    assertEquals(size, n, "a whole message");
                    int writer = in.getInt(0), seq = in.getInt(4);
                    assertTrue(writer == 1 || writer == 2, "writer " + writer);
                    assertEquals(next[writer], seq, "writer " + writer + "'s next message");
                    for (int i = 8; i < n; i++) {
                        if (in.get(i) != FanInWriterMain.expected(writer, seq, i)) {
                            throw new AssertionError("writer " + writer + " message " + seq + ": byte " + i + " is not its own (interleaved?)");
                        }
                    }
                    next[writer]++;
                }
                assertEquals(count, next[1], "writer 1's messages before the end of stream");
                assertEquals(count, next[2], "writer 2's messages before the end of stream");
            }
            for (Process p : writers) assertEquals(0, p.waitFor(), "writer " + p.pid() + " exit");
        }
    }

    /** The fan-in reader waits in slices: a quiet slice is a timeout that leaves the channel open. */
    private static int receive(Channel ch, ByteBuffer in) throws IOException {
        while (true) {
            try {
                return ch.receive(in, Duration.ofMillis(100));
            } catch (IpcTimeoutException quiet) {
                // the writers are still starting up; try again
            }
        }
    }

    @Test
    void aFanInWriterSendsFramesOfAtMostPipeBufAndHasNoReturnPath() throws Exception {
        MechanismInfo info = provider.describe(fanIn("nio", 3));
        assertTrue(info.has(Capability.FAN_IN) && !info.has(Capability.CONCURRENT_SESSIONS));
        assertEquals(4092, info.maxMessageSize(), "PIPE_BUF minus the 4-byte header");
        assertTrue(info.description().contains("PIPE_BUF = 4096"), info.description());
        assertEquals(org.ipclab.core.Framing.DEFAULT_MAX_MESSAGE, provider.describe(ChannelSpec.of("fifo")).maxMessageSize(),
                "without the option, the pair's limit");
        try (ServerEnd end = provider.open(fanIn("nio", 3))) {
            Path dir = Path.of(end.peerSpec().option("path").orElseThrow());
            assertFalse(Files.exists(dir.resolve(FifoProvider.TO_CLIENT)), "no return path is made");
            CompletableFuture<Channel> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return end.accept(STEP, Optional.empty());
                } catch (IOException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            try (Channel first = provider.connect(end.peerSpec(), STEP);
                 Channel second = provider.connect(end.peerSpec(), STEP); // no one-client lock
                 Channel server = accepted.get(30, TimeUnit.SECONDS)) {
                assertThrows(MessageTooLargeException.class, () -> first.send(ByteBuffer.allocate(4093), STEP));
                first.send(ByteBuffer.allocate(4092), STEP);
                second.send(ByteBuffer.allocate(16), STEP);
                assertEquals(4092, server.receive(ByteBuffer.allocate(4092), STEP));
                assertEquals(16, server.receive(ByteBuffer.allocate(4092), STEP));
                assertThrows(IpcTimeoutException.class, () -> server.receive(ByteBuffer.allocate(4092), Duration.ofMillis(50)));
                second.send(ByteBuffer.allocate(8), STEP);
                assertEquals(8, server.receive(ByteBuffer.allocate(4092), STEP), "a quiet slice left the channel open");
                IpcException noReply = assertThrows(IpcException.class, () -> first.receive(ByteBuffer.allocate(64), STEP));
                assertTrue(noReply.getMessage().contains("no return path"), noReply.getMessage());
                assertThrows(IpcException.class, () -> server.send(ByteBuffer.allocate(8), STEP));
            }
        }
    }

    private Process start(int writer, int count, int size, ChannelSpec peerSpec) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow()));
        cmd.addAll(IoRoute.jvmFlags(peerSpec));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), FanInWriterMain.class.getName(),
                Integer.toString(writer), Integer.toString(count), Integer.toString(size)));
        peerSpec.options().forEach((k, v) -> cmd.add(k + "=" + v));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static String firstLine(Process p) throws IOException {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII)).readLine();
    }

    private static void say(Process p, String line) throws IOException {
        OutputStream in = p.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        in.flush();
    }
}
