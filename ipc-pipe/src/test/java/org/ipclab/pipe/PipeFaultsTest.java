package org.ipclab.pipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.PipeCapacity;
import org.ipclab.core.BadInputException;
import org.ipclab.core.Channel;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.PeerGoneException;
import org.ipclab.core.Providers;
import org.ipclab.core.ServerEnd;
import org.ipclab.core.peer.PeerLauncher;
import org.ipclab.core.peer.PeerSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The bad inputs and faults for {@code pipe}: one-line errors, no stray peer, never a hang. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PipeFaultsTest {
    private static final Duration START = Duration.ofSeconds(30);
    private static final Duration STEP = Duration.ofSeconds(10);

    private static PeerSession launch(Map<String, String> options) throws IOException {
        return PeerLauncher.launch(ChannelSpec.of("pipe", options), START);
    }

    @AfterEach
    void noStrayPeer() {
        long stray = 0;
        for (ProcessHandle child : ProcessHandle.current().children().toArray(ProcessHandle[]::new)) {
            try {
                child.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception stillRunning) {
                stray++;
                child.destroyForcibly();
            }
        }
        assertEquals(0, stray, "peer processes still running after the test (killed now)");
    }

    @Test
    void pipeSizeBelowAPageIsRefusedBeforeAnythingStarts() {
        BadInputException e = assertThrows(BadInputException.class, () -> launch(Map.of("pipe-size", "1000")));
        assertTrue(e.getMessage().contains("1000") && e.getMessage().contains(Integer.toString(PipeCapacity.pageSize())), e.getMessage());
        assertEquals(-1, e.getMessage().indexOf('\n'), "one line");
    }

    @Test
    void pipeSizeOverTheMaximumNamesTheLimit() throws IOException {
        assumeTrue(!hasCapSysResource(), "with CAP_SYS_RESOURCE the kernel grants sizes over pipe-max-size");
        long max = PipeCapacity.maxSize();
        BadInputException e = assertThrows(BadInputException.class, () -> launch(Map.of("pipe-size", Long.toString(max * 2))));
        assertTrue(e.getMessage().contains("pipe-max-size") && e.getMessage().contains(Long.toString(max)), e.getMessage());
        assertTrue(e.getMessage().contains("EPERM"), e.getMessage());
    }

    @Test
    void anOddPipeSizeIsRoundedUpAndTheGrantIsReported() throws IOException {
        try (PeerSession peer = launch(Map.of("pipe-size", "100000"))) {
            String granted = peer.effectiveParameters().get("pipe-size");
            assertTrue(granted.startsWith("131072 (asked for 100000"), granted);
        }
    }

    @Test
    void aOneMebibytePipeCarriesAOneMebibyteMessage() throws IOException {
        try (PeerSession peer = launch(Map.of("pipe-size", "1m"))) {
            assertEquals("1048576", peer.effectiveParameters().get("pipe-size"));
            Channel ch = peer.channel();
            byte[] sent = new byte[ch.maxMessageSize()];
            new Random(1).nextBytes(sent);
            ch.send(ByteBuffer.wrap(sent), STEP);
            ByteBuffer in = ByteBuffer.allocate(ch.maxMessageSize());
            assertEquals(sent.length, ch.receive(in, STEP));
            assertTrue(ByteBuffer.wrap(sent).equals(in.flip()), "echoed bytes");
        }
    }

    @Test
    void acceptWithoutAChildIsRefused() throws IOException {
        try (ServerEnd end = Providers.forSpec(ChannelSpec.of("pipe")).open(ChannelSpec.of("pipe"))) {
            BadInputException e = assertThrows(BadInputException.class, () -> end.accept(Duration.ofSeconds(1), Optional.empty()));
            assertTrue(e.getMessage().contains("parent"), e.getMessage());
        }
    }

    /** The kernel's view: one pipe per direction, opposite modes in the two processes, fd 1 of the child is stderr. */
    @Test
    void theTwoPipesConnectParentAndChildAndFdOneNoLongerReachesThem() throws IOException {
        try (PeerSession peer = launch(Map.of())) {
            String toPeer = peer.effectiveParameters().get("pipe-to-peer");
            String fromPeer = peer.effectiveParameters().get("pipe-from-peer");
            assertTrue(toPeer.startsWith("pipe:[") && fromPeer.startsWith("pipe:[") && !toPeer.equals(fromPeer));
            long self = ProcessHandle.current().pid();
            List<Integer> ourTo = PipeEnds.ourDescriptorsFor(toPeer);
            List<Integer> ourFrom = PipeEnds.ourDescriptorsFor(fromPeer);
            assertEquals(1, ourTo.size(), "we hold one descriptor on the pipe to the child");
            assertEquals(1, ourFrom.size(), "and one on the pipe from it");
            assertEquals("w", PipeLab.accessMode(self, ourTo.get(0)).split(" ")[0]);
            assertEquals("r", PipeLab.accessMode(self, ourFrom.get(0)).split(" ")[0]);
            List<String> childFds = PipeEnds.pipeDescriptorsAndOthers(peer.pid());
            assertTrue(childFds.contains("0 -> /dev/null"), "child's fd 0 after connect: " + childFds);
            assertEquals(PipeEnds.target(peer.pid(), 2), PipeEnds.target(peer.pid(), 1), "child's fd 1 now goes to stderr");
            assertTrue(childFds.stream().anyMatch(l -> l.endsWith(" -> " + toPeer)), "child holds the read end: " + childFds);
            assertTrue(childFds.stream().anyMatch(l -> l.endsWith(" -> " + fromPeer)), "child holds the write end: " + childFds);
        }
    }

    @Test
    void peerExitingMidStreamGivesEndOfStreamAndBrokenPipe() throws IOException {
        try (PeerSession peer = launch(Map.of())) {
            Channel ch = peer.channel();
            ByteBuffer in = ByteBuffer.allocateDirect(ch.maxMessageSize());
            ch.send(ByteBuffer.allocate(64), STEP);
            assertEquals(64, ch.receive(in, STEP));
            peer.kill();
            assertEquals(Channel.END_OF_STREAM, ch.receive(in.clear(), STEP), "the last writer is gone: end of file");
            PeerGoneException e = assertThrows(PeerGoneException.class, () -> ch.send(ByteBuffer.allocate(64), STEP));
            assertTrue(e.getMessage().contains("peer closed") && e.getMessage().contains("Broken pipe"), e.getMessage());
        }
    }

    /** After connect, nothing the child prints — through System.out or straight to fd 1 — reaches the pipe. */
    @Test
    void whatTheChildPrintsToStdoutNeverReachesThePipe() throws Exception {
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp", System.getProperty("java.class.path"),
                NoisyChild.class.getName());
        try (ServerEnd end = new PipeProvider().open(ChannelSpec.of("pipe"))) {
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.redirectError(ProcessBuilder.Redirect.PIPE);
            Process child = end.startPeer(pb);
            try (Channel ch = end.accept(START, Optional.of(child))) {
                ByteBuffer in = ByteBuffer.allocate(1024);
                int n = ch.receive(in, STEP);
                assertEquals("the only message", new String(in.array(), 0, n, StandardCharsets.UTF_8));
            }
            String err = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            assertTrue(err.contains("junk via System.out") && err.contains("junk via fd 1"), "the junk went to stderr: " + err);
        }
    }

    @Test
    void aPeerWhoseStdinIsNotOurPipeRefusesToStart() throws Exception {
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp", System.getProperty("java.class.path"),
                PeerLauncher.PEER_MAIN, "peer", "--mechanism", "pipe", "--connect-timeout", "5s");
        Process p = new ProcessBuilder(cmd).redirectInput(new File("/dev/null")).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), err);
        assertTrue(err.contains("must be pipes from the parent"), err);
    }

    static boolean hasCapSysResource() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("CapEff:")) return (Long.parseLong(line.substring(7).trim(), 16) & (1L << 24)) != 0;
        }
        return false;
    }
}
