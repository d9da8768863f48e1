package org.ipclab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.ipclab.core.Names;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ipc serve} under load, for each mechanism that serves clients at once: CLIENTS client
 * processes start together, each an echo latency run and a sink run. All complete with every
 * message accounted for, the server holds as many descriptors afterwards as before, and once it
 * is stopped nothing of the server's or the clients' is left in /tmp or /dev/shm.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ServeUnderLoadTest {
    private static final int CLIENTS = 8;

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix", "junix", "unix-seqpacket"})
    void manyClientsAtOnceAllCompleteAndNothingLeaks(String mechanism) throws Exception {
        List<String> cmd = Ipc.command();
        cmd.addAll(List.of("serve", "-m", mechanism, "--max-clients", Integer.toString(CLIENTS)));
        if (mechanism.equals("tcp")) cmd.addAll(List.of("--port", "0"));
        Process server = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> log = new CopyOnWriteArrayList<>();
        Set<Long> pids = new HashSet<>(Set.of(server.pid()));
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String ready = String.valueOf(out.readLine());
            assertTrue(ready.contains("ready"), ready);
            assertTrue(String.valueOf(out.readLine()).contains("connect with"));
            String third = String.valueOf(out.readLine());
            assertTrue(third.contains("up to " + CLIENTS + " clients at once"), "serves clients at once: " + third);
            Thread reader = new Thread(() -> out.lines().forEach(log::add), "serve-log");
            reader.setDaemon(true);
            reader.start();
            List<String> options = options(ready);

            Process warm = client(mechanism, options);
            pids.add(warm.pid());
            assertEquals(0, finish(warm), "a first client, so the server has opened what it opens lazily");
            long fdsBefore = fds(server);

            List<Process> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                Process c = client(mechanism, options);
                pids.add(c.pid());
                clients.add(c);
            }
            for (Process c : clients) {
                String said = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals(0, finish(c), "client " + c.pid() + ": " + said + "\nserver:\n" + String.join("\n", log));
            }
            assertTrue(log.stream().noneMatch(l -> l.contains("refused") || l.contains("dropped")), String.join("\n", log));
            waitForFds(server, fdsBefore);
        } finally {
            server.destroy(); // SIGTERM: serve removes what it created
            assertTrue(server.waitFor(20, TimeUnit.SECONDS), "serve did not stop on SIGTERM");
        }
        List<Path> left = leftBy(pids);
        assertTrue(left.isEmpty(), "left behind: " + left);
    }

    /** "ipc serve: tcp ready (pid N) at host=127.0.0.1 port=4711" → the options a client needs. */
    private static List<String> options(String ready) {
        Matcher at = Pattern.compile(" at (.*)$").matcher(ready);
        assertTrue(at.find(), ready);
        List<String> options = new ArrayList<>();
        for (String kv : at.group(1).trim().split(" ")) if (kv.contains("=")) options.add(kv);
        return options;
    }

    private static Process client(String mechanism, List<String> options) throws IOException {
        List<String> cmd = new ArrayList<>(Ipc.java(LoadClient.class.getName()));
        cmd.add(1, "-XX:TieredStopAtLevel=1");
        cmd.add(mechanism);
        cmd.addAll(options);
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    private static int finish(Process p) throws InterruptedException, IOException {
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "client " + p.pid() + " did not finish");
        return p.exitValue();
    }

    private static long fds(Process p) throws IOException {
        try (var s = Files.list(Path.of("/proc", Long.toString(p.pid()), "fd"))) {
            return s.count();
        }
    }

    private static void waitForFds(Process p, long before) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long now;
        while ((now = fds(p)) != before) {
            assertTrue(System.nanoTime() < deadline, "serve holds " + now + " descriptors, " + before + " before the clients");
            Thread.sleep(100);
        }
    }

    /** Entries in /tmp and /dev/shm named for one of these processes. */
    private static List<Path> leftBy(Set<Long> pids) throws IOException {
        List<Path> left = new ArrayList<>();
        for (Path root : List.of(Names.tempRoot(), Path.of("/dev/shm"))) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, "ipclab-*")) {
                for (Path e : ds) {
                    var pid = Names.creatorPid(e.getFileName().toString());
                    if (pid.isPresent() && pids.contains(pid.getAsLong())) left.add(e);
                }
            }
        }
        return left;
    }
}
