package org.ipclab.socket;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.peer.PeerSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** unix-dgram through a raw io route, whose blocking sends are bounded by SO_SNDTIMEO. */
abstract class UnixDatagramRawRouteContract extends DatagramRawRouteContract {
    /**
     * Sends that block (we never read the echoes, so the peer blocks on our full queue and stops
     * draining its own) end in an error once their timeout passes, and after the peer is killed;
     * neither hangs in the blocking send.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aSendToAFullQueueEndsAtItsTimeoutAndWhenThePeerDies() throws IOException {
        try (PeerSession peer = launch()) {
            ByteBuffer m = ByteBuffer.allocateDirect(4096);
            assertThrows(IOException.class, () -> {
                for (int i = 0; i < 1_000_000; i++) peer.channel().send(m, Duration.ofMillis(300));
            }, "a million 4 KiB datagrams to a peer that cannot drain");
            long pid = peer.process().pid();
            peer.process().destroyForcibly();
            try {
                assertThrows(IOException.class, () -> {
                    for (int i = 0; i < 1_000_000; i++) peer.channel().send(m, STEP);
                }, "sends to a killed peer");
            } finally {
                removeClientDirectoryOf(pid);
            }
        }
    }

    /** A killed peer cannot remove the directory of its client socket: we do. */
    private static void removeClientDirectoryOf(long pid) throws IOException {
        try (java.nio.file.DirectoryStream<java.nio.file.Path> dirs = java.nio.file.Files.newDirectoryStream(
                java.nio.file.Path.of(System.getProperty("java.io.tmpdir")), "ipclab-" + pid + "-unixdgramc-*")) {
            for (java.nio.file.Path dir : dirs) {
                try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(dir)) {
                    for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files::iterator) java.nio.file.Files.deleteIfExists(f);
                }
                java.nio.file.Files.deleteIfExists(dir);
            }
        }
    }
}
