package org.ipclab.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.ipclab.core.BadInputException;
import org.ipclab.core.Channel;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.Providers;
import org.ipclab.core.ServerEnd;
import org.ipclab.core.Users;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Socket files under a --path directory that a second user (uid 65534) can write too. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnixPathHostileTest {
    Path shared;
    Path victim;

    @BeforeEach
    void dirs() throws Exception {
        shared = Files.createTempDirectory("sock-shared");
        new ProcessBuilder("chmod", "1777", shared.toString()).start().waitFor();
        victim = Files.createTempFile("sock-victim", "");
        Files.writeString(victim, "precious");
    }

    @AfterEach
    void cleanup() throws Exception {
        new ProcessBuilder("rm", "-rf", shared.toString(), victim.toString()).start().waitFor();
    }

    static ServerEnd open(String mechanism, Path path) throws IOException {
        ChannelSpec spec = ChannelSpec.of(mechanism).with("path", path.toString());
        return Providers.forSpec(spec).open(spec);
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix", "junix", "unix-dgram", "unix-seqpacket"})
    void theSocketFileAppearsAlready0600AndWorksUnderItsName(String mechanism) throws Exception {
        Path path = shared.resolve("s.sock");
        try (ServerEnd server = open(mechanism, path)) {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            assertEquals(0140600, mode, "a socket, 0600: " + Integer.toOctalString(mode));
            assertEquals(Users.uid(), Users.ownerOf(path));
            try (Stream<Path> s = Files.list(shared)) {
                // junixsocket needs its bind name while it listens: then our 0700 staging directory stays until close
                assertEquals(List.of(path), s.filter(p -> mechanism.equals("unix") || !isStaging(p)).toList(), "nothing else");
            }
            if (!mechanism.equals("unix-dgram")) {
                // a client finds the server through the final name (the socket was bound under another)
                Thread t = new Thread(() -> {
                    try (Channel c = Providers.forSpec(server.peerSpec()).connect(server.peerSpec(), Duration.ofSeconds(10))) {
                        Thread.sleep(200);
                    } catch (Exception ignored) {
                        // the accept below reports
                    }
                });
                t.start();
                try (Channel c = server.accept(Duration.ofSeconds(10), Optional.empty())) {
                    assertTrue(c != null);
                }
                t.join();
            }
        }
        assertTrue(Files.notExists(path, LinkOption.NOFOLLOW_LINKS), "close removes the name");
        try (Stream<Path> s = Files.list(shared)) {
            assertEquals(List.of(), s.toList(), "and the staging directory");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix", "junix"})
    void aSocketAnotherUserBoundThereIsRefusedAndKept(String mechanism) throws Exception {
        Path path = shared.resolve("s.sock");
        asNobody("/usr/bin/python3 -c \"import socket; s=socket.socket(socket.AF_UNIX); s.bind('" + path + "')\"");
        BadInputException e = assertThrows(BadInputException.class, () -> open(mechanism, path));
        assertTrue(e.getMessage().contains("nobody") && e.getMessage().contains("not to us"), e.getMessage());
        assertEquals(65534, Users.ownerOf(path), "their socket file stays");
        try (Stream<Path> s = Files.list(shared)) {
            assertEquals(List.of(path), s.toList(), "nothing of ours left behind");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix", "junix", "unix-seqpacket"})
    void aLinkAnotherUserPlantedAtThePathIsRefusedAndItsTargetUntouched(String mechanism) throws Exception {
        Path path = shared.resolve("s.sock");
        asNobody("ln -s " + victim + " " + path);
        Object before = Files.getAttribute(victim, "unix:mode");
        BadInputException e = assertThrows(BadInputException.class, () -> open(mechanism, path));
        assertTrue(e.getMessage().contains("not a socket"), e.getMessage());
        assertEquals(before, Files.getAttribute(victim, "unix:mode"), "no chmod reached the target");
        assertEquals("precious", Files.readString(victim));
        assertTrue(Files.isSymbolicLink(path));
    }

    static boolean isStaging(Path p) {
        try {
            return p.getFileName().toString().contains("-bind-") && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                    && ((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0777) == 0700;
        } catch (IOException e) {
            return false;
        }
    }

    static void asNobody(String script) throws IOException, InterruptedException {
        assumeTrue(Users.isRoot(), "needs root to become a second user (setpriv)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) && Files.isExecutable(Path.of("/usr/bin/python3")),
                "needs /usr/bin/setpriv and /usr/bin/python3");
        Process p = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/bin/sh", "-c", script)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "setpriv did not finish");
        assumeTrue(!out.startsWith("setpriv:"), "setpriv refused here: " + out.trim());
        assertEquals(0, p.exitValue(), "as uid 65534: " + script + ": " + out);
    }
}
