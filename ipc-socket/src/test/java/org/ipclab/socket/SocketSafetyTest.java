package org.ipclab.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.BadInputException;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.IpcException;
import org.ipclab.core.Names;
import org.ipclab.core.Providers;
import org.ipclab.core.ServerEnd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad input and security defaults of the socket providers: one clear error, nothing left behind. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SocketSafetyTest {
    private Path dir;

    @BeforeEach
    void privateDir() throws IOException {
        dir = Names.privateDirectory("sockettest");
    }

    @AfterEach
    void removeDir() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) Files.deleteIfExists(p);
        }
        Files.deleteIfExists(dir);
    }

    private static ServerEnd open(String mechanism, String... kv) throws IOException {
        ChannelSpec spec = ChannelSpec.of(mechanism);
        for (int i = 0; i < kv.length; i += 2) spec = spec.with(kv[i], kv[i + 1]);
        return Providers.forSpec(spec).open(spec);
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix", "junix", "unix-dgram", "unix-seqpacket"})
    void aPathOverTheLimitIsRefusedNamingTheLimit(String mechanism) {
        String longPath = dir.resolve("x".repeat(120) + ".sock").toString();
        BadInputException e = assertThrows(BadInputException.class, () -> open(mechanism, "path", longPath));
        assertTrue(e.getMessage().contains("107"), e.getMessage());
        assertFalse(Files.exists(Path.of(longPath)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"junix", "unix-dgram", "unix-seqpacket"})
    void aStaleSocketFileIsReclaimedAndRemovedOnClose(String mechanism) throws IOException {
        Path path = dir.resolve("stale.sock");
        // The JDK leaves the file behind on close: exactly what a crashed server leaves.
        try (ServerSocketChannel crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            crashed.bind(UnixDomainSocketAddress.of(path));
        }
        assertTrue(Files.exists(path));
        try (ServerEnd server = open(mechanism, "path", path.toString())) {
            assertTrue(Files.exists(path), "bound again");
        }
        assertFalse(Files.exists(path), "removed on close");
    }

    @ParameterizedTest
    @ValueSource(strings = {"junix", "unix-dgram", "unix-seqpacket"})
    void aSocketInUseIsRefused(String mechanism) throws IOException {
        try (ServerEnd first = open(mechanism, "path", dir.resolve("used.sock").toString())) {
            BadInputException e = assertThrows(BadInputException.class, () -> open(mechanism, "path", dir.resolve("used.sock").toString()));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
    }

    @Test
    void aLiveSocketOfAnotherTypeIsNotTakenForStale() throws IOException {
        try (ServerEnd dgram = open("unix-dgram", "path", dir.resolve("dgram.sock").toString())) {
            BadInputException e = assertThrows(BadInputException.class, () -> open("junix", "path", dir.resolve("dgram.sock").toString()));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix", "junix", "unix-dgram", "unix-seqpacket"})
    void aPathThatIsNotASocketIsRefusedAndKept(String mechanism) throws IOException {
        Path file = Files.writeString(dir.resolve("notes.txt"), "keep me");
        BadInputException e = assertThrows(BadInputException.class, () -> open(mechanism, "path", file.toString()));
        assertTrue(e.getMessage().contains("not a socket"), e.getMessage());
        assertEquals("keep me", Files.readString(file));
    }

    @ParameterizedTest
    @ValueSource(strings = {"junix", "unix-dgram", "unix-seqpacket"})
    void theSocketFileIsOwnerOnlyInAPrivateDirectory(String mechanism) throws IOException {
        try (ServerEnd server = open(mechanism)) {
            Path sock = Path.of(server.peerSpec().option("path").orElseThrow());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock.getParent())));
            assertTrue(sock.getParent().getFileName().toString().startsWith("ipclab-"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"junix", "unix-dgram", "unix-seqpacket"})
    void anAbstractNameLeavesNoFile(String mechanism) throws IOException {
        try (ServerEnd server = open(mechanism, "abstract", "true")) {
            String name = server.peerSpec().option("path").orElseThrow();
            assertFalse(name.startsWith("/"), name);
            String procNetUnix = String.join("\n", Files.readAllLines(Path.of("/proc/net/unix")));
            assertTrue(procNetUnix.contains("@" + name), "listed in /proc/net/unix as @" + name);
            assertEquals(List.of(), ourFiles(), "no file in the temp dir");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "udp"})
    void aPortInUseIsRefused(String mechanism) throws IOException {
        if (mechanism.equals("tcp")) {
            try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                BadInputException e = assertThrows(BadInputException.class, () -> open(mechanism, "port", Integer.toString(taken.getLocalPort())));
                assertTrue(e.getMessage().contains("in use"), e.getMessage());
            }
        } else {
            try (DatagramChannel taken = DatagramChannel.open()) {
                taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                int port = ((InetSocketAddress) taken.getLocalAddress()).getPort();
                BadInputException e = assertThrows(BadInputException.class, () -> open(mechanism, "port", Integer.toString(port)));
                assertTrue(e.getMessage().contains("in use"), e.getMessage());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "udp"})
    void tcpAndUdpBindLoopbackByDefault(String mechanism) throws IOException {
        try (ServerEnd server = open(mechanism)) {
            assertTrue(InetAddress.getByName(server.peerSpec().option("host").orElseThrow()).isLoopbackAddress());
        }
    }

    @Test
    void bufferSizesReportWhatTheKernelSet() throws IOException {
        try (ServerEnd server = open("unix-dgram", "sndbuf", "64k", "rcvbuf", "64k")) {
            // Linux doubles the request (bookkeeping room): the result says so instead of echoing 65536.
            assertEquals("131072", server.effectiveParameters().get("SO_SNDBUF"));
            assertEquals("131072", server.effectiveParameters().get("SO_RCVBUF"));
            assertEquals("65536", server.effectiveParameters().get("SO_SNDBUF requested"));
        }
        // The JDK's sockets report half the kernel's value on Linux; the result must show the kernel's.
        try (ServerEnd server = open("udp", "rcvbuf", "64k")) {
            assertEquals("131072", server.effectiveParameters().get("SO_RCVBUF"));
        }
    }

    /** Needs root (to run a client as nobody); abstract names have no file permissions, so only SO_PEERCRED stops it. */
    @ParameterizedTest
    @ValueSource(strings = {"junix", "unix-seqpacket"})
    void aPeerOfAnotherUidIsRefused(String mechanism) throws Exception {
        assumeTrue(PeerCheck.myUid() == 0, "needs root to start a client as another uid");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) && Files.isExecutable(Path.of("/usr/bin/python3")),
                "needs setpriv and /usr/bin/python3");
        try (ServerEnd server = open(mechanism, "abstract", "true")) {
            String name = server.peerSpec().option("path").orElseThrow();
            String type = mechanism.equals("junix") ? "SOCK_STREAM" : "SOCK_SEQPACKET";
            Process intruder = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    "/usr/bin/python3", "-c",
                    "import socket,time; s=socket.socket(socket.AF_UNIX, socket." + type + "); s.connect('\\0" + name + "'); time.sleep(5)")
                    .redirectErrorStream(true).start();
            try {
                IpcException e = assertThrows(IpcException.class, () -> server.accept(Duration.ofSeconds(20), Optional.empty()));
                assertTrue(e.getMessage().contains("uid 65534"), e.getMessage());
                assertTrue(e.getMessage().contains("refused"), e.getMessage());
            } finally {
                intruder.destroyForcibly();
                intruder.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private static List<String> ourFiles() throws IOException {
        long self = ProcessHandle.current().pid();
        try (var s = Files.list(Names.tempRoot())) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> Names.creatorPid(n).orElse(-1) == self && !n.contains("sockettest"))
                    .sorted().collect(java.util.stream.Collectors.toList());
        }
    }

    static ChannelProvider provider(String name) {
        return Providers.get(name);
    }
}
