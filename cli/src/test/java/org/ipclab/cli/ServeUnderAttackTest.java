package org.ipclab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ipc serve} stays up for everyone while clients it did not write misbehave: a raw socket
 * that stays silent, one that sends half a frame, one that announces a frame over the limit, and
 * more clients than it serves at once. Each costs only itself (a line on stderr), a normal client
 * is served meanwhile and afterwards, and the server holds no more descriptors at the end than it
 * did before the attacks. The idle timeout is long enough for a client JVM to start on a loaded
 * machine while the two attackers still hold both slots.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServeUnderAttackTest {
    private Process server;
    private int port;
    private final List<String> log = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        List<String> cmd = Ipc.command(
                "serve", "-m", "tcp", "--port", "0", "--max-clients", "2", "--idle-timeout", "8s");
        server = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        String first = out.readLine();
        Matcher m = Pattern.compile("port=(\\d+)").matcher(String.valueOf(first));
        assertTrue(m.find(), "serve's first line: " + first);
        port = Integer.parseInt(m.group(1));
        Thread reader = new Thread(() -> out.lines().forEach(log::add), "serve-log");
        reader.setDaemon(true);
        reader.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        server.destroy();
        server.waitFor(10, TimeUnit.SECONDS);
        server.destroyForcibly();
    }

    @Test
    void silentAndHalfSpeakingClientsAreDroppedAndOthersAreServedMeanwhile() throws Exception {
        CliTest.Run warm = CliTest.ipc("connect", "-m", "tcp", "--port", Integer.toString(port), "first");
        assertEquals(0, warm.exit(), warm.all()); // the server has now opened whatever it opens lazily
        long fdsBefore = fds();
        try (Socket silent = raw(); Socket half = raw()) {
            half.getOutputStream().write(new byte[] {10, 0}); // two of a length's four bytes, then nothing
            half.getOutputStream().flush();
            // Two slots taken: the third client is told so, not left hanging.
            CliTest.Run refused = CliTest.ipc("connect", "-m", "tcp", "--port", Integer.toString(port), "--timeout", "5s", "hi");
            assertEquals(1, refused.exit(), refused.all());
            assertTrue(refused.err().contains("at most 2"), refused.err());
            waitForLog("dropped", 2);
        }
        CliTest.Run ok = CliTest.ipc("connect", "-m", "tcp", "--port", Integer.toString(port), "hello");
        assertEquals(0, ok.exit(), ok.all());
        assertEquals("hello", ok.out().trim());
        assertTrue(log.stream().anyMatch(l -> l.contains("refused: already serving 2")), String.join("\n", log));
        waitForFds(fdsBefore);
    }

    @Test
    void aFrameOverTheLimitDropsOnlyThatClient() throws Exception {
        try (Socket liar = raw()) {
            OutputStream out = liar.getOutputStream();
            out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0x7FFF_FFF0).array());
            out.flush();
            waitForLog("dropped", 1);
        }
        assertTrue(log.stream().anyMatch(l -> l.contains("dropped") && l.contains("2147483632")), String.join("\n", log));
        // The one line names the client: its address and port.
        assertTrue(log.stream().anyMatch(l -> l.contains("dropped") && l.contains("(127.0.0.1:")), String.join("\n", log));
        CliTest.Run ok = CliTest.ipc("connect", "-m", "tcp", "--port", Integer.toString(port), "after");
        assertEquals(0, ok.exit(), ok.all());
        assertEquals("after", ok.out().trim());
    }

    private Socket raw() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(10_000);
        return s;
    }

    private void waitForLog(String word, int times) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (log.stream().filter(l -> l.contains(word)).count() < times) {
            assertTrue(System.nanoTime() < deadline, "never saw '" + word + "' " + times + " times in: " + String.join("\n", log));
            Thread.sleep(50);
        }
    }

    private long fds() throws IOException {
        try (var s = Files.list(Path.of("/proc", Long.toString(server.pid()), "fd"))) {
            return s.count();
        }
    }

    /** The server's descriptors settle back to what it had (closed clients' sockets are gone). */
    private void waitForFds(long before) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long now;
        while ((now = fds()) > before) {
            assertTrue(System.nanoTime() < deadline, "serve holds " + now + " descriptors, " + before + " before the attacks");
            Thread.sleep(100);
        }
    }
}
