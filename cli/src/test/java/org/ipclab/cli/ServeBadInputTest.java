package org.ipclab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.ipclab.core.Names;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ipc serve} given bad input: each a one-line usage error naming the value and the limit,
 * exit 2, nothing left behind; and a client that announces a frame over the maximum, which costs
 * only that client, in one line that names it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServeBadInputTest {

    @Test
    void badOptionsAreUsageErrorsThatLeaveNothingBehind() throws Exception {
        List<Path> before = ours();
        CliTest.assertUsageError(CliTest.ipc("serve", "-m", "unix", "--max-clients", "0"), "--max-clients 0", "at least 1");
        CliTest.assertUsageError(CliTest.ipc("serve", "-m", "unix", "--max-clients", "-3"), "--max-clients -3", "at least 1");
        CliTest.assertUsageError(CliTest.ipc("serve", "-m", "unix", "--max-clients", "many"), "'many'");
        CliTest.assertUsageError(CliTest.ipc("serve", "-m", "unix", "--idle-timeout", "5"), "'5'", "needs a unit");
        CliTest.assertUsageError(CliTest.ipc("serve", "-m", "unix", "--idle-timeout", "0s"), "--idle-timeout", "more than 0");
        List<Path> left = ours();
        left.removeAll(before);
        left.removeIf(p -> !Names.isStale(p.getFileName().toString())); // someone else's live run meanwhile
        assertTrue(left.isEmpty(), "left behind: " + left);
    }

    @Test
    void aUnixClientAnnouncingAFrameOverTheMaximumIsDroppedAloneAndNamed() throws Exception {
        List<String> cmd = Ipc.command("serve", "-m", "unix");
        Process server = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> log = new CopyOnWriteArrayList<>();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String ready = String.valueOf(out.readLine());
            Matcher m = Pattern.compile("path=(\\S+)").matcher(ready);
            assertTrue(m.find(), ready);
            Path socket = Path.of(m.group(1));
            Thread reader = new Thread(() -> out.lines().forEach(log::add), "serve-log");
            reader.setDaemon(true);
            reader.start();
            try (SocketChannel liar = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                liar.connect(UnixDomainSocketAddress.of(socket));
                liar.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0x7FFF_FFF0));
                waitFor(log, "dropped");
            }
            String line = log.stream().filter(l -> l.contains("dropped")).findFirst().orElseThrow();
            assertTrue(line.contains("2147483632"), "names the length: " + line);
            assertTrue(line.contains("(user " + System.getProperty("user.name")), "names the client: " + line);
            CliTest.Run ok = CliTest.ipc("connect", "-m", "unix", "--path", socket.toString(), "after");
            assertEquals(0, ok.exit(), ok.all());
            assertEquals("after", ok.out().trim());
            assertTrue(server.isAlive());
        } finally {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
            server.destroyForcibly();
        }
    }

    private static void waitFor(List<String> log, String word) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (log.stream().noneMatch(l -> l.contains(word))) {
            assertTrue(System.nanoTime() < deadline, "never saw '" + word + "' in: " + String.join("\n", log));
            Thread.sleep(50);
        }
    }

    private static List<Path> ours() throws IOException {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Names.tempRoot(), "ipclab-*")) {
            for (Path p : ds) found.add(p);
        }
        return found;
    }
}
