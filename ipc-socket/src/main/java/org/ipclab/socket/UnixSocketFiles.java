package org.ipclab.socket;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;

import org.ipclab.core.BadInputException;
import org.newsclub.net.unix.AFSocketType;
import org.newsclub.net.unix.AFUNIXDatagramChannel;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.newsclub.net.unix.ConnectionRefusedSocketException;

/** Checks for Unix socket paths: the sun_path limit, and what to do when the path exists. */
final class UnixSocketFiles {
    /** sun_path is 108 bytes on Linux, including the terminating NUL. */
    static final int MAX_PATH_BYTES = 107;

    private UnixSocketFiles() {
    }

    static void checkLength(Path path) {
        int bytes = path.toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_PATH_BYTES) {
            throw new BadInputException("Unix socket path is " + bytes + " bytes, over the limit of " + MAX_PATH_BYTES
                    + " (sun_path holds 108 bytes including the NUL): " + path);
        }
    }

    /** {@link #reclaimIfStale(Path, AFSocketType)} for a stream socket. */
    static void reclaimIfStale(Path path) throws IOException {
        reclaimIfStale(path, AFSocketType.SOCK_STREAM);
    }

    /**
     * A path that exists: a stale socket file of ours (nobody bound: connect is refused) is removed
     * so we can bind; a socket someone uses — of any type —, a socket of another user, or anything
     * that is not a socket is refused. The probe connects with the same socket type, because a
     * stream probe against a live datagram socket fails too (EPROTOTYPE), which is not "stale".
     */
    static void reclaimIfStale(Path path, AFSocketType type) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) return;
        PosixFileAttributes attrs = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attrs.isOther() || !isSocket(path)) {
            throw new BadInputException("path " + path + " exists and is not a socket; refusing to replace it");
        }
        if (!attrs.owner().getName().equals(System.getProperty("user.name"))) {
            throw new BadInputException("socket " + path + " belongs to " + attrs.owner().getName() + ", not to us; refusing to replace it");
        }
        AFUNIXSocketAddress address = AFUNIXSocketAddress.of(path);
        try {
            probe(address, type);
        } catch (ConnectionRefusedSocketException stale) {
            Files.deleteIfExists(path); // nobody is bound to it: a leftover of a crashed run
            return;
        } catch (IOException other) {
            throw new BadInputException("socket " + path + " is in use (connecting to it failed with: " + other.getMessage()
                    + "); refusing to replace it");
        }
        throw new BadInputException("socket " + path + " is in use: a server is listening on it");
    }

    private static void probe(AFUNIXSocketAddress address, AFSocketType type) throws IOException {
        if (type == AFSocketType.SOCK_DGRAM) {
            try (AFUNIXDatagramChannel probe = AFUNIXDatagramChannel.open()) {
                probe.connect(address);
            }
        } else if (type == AFSocketType.SOCK_SEQPACKET) {
            try (AFUNIXDatagramSocket probe = AFUNIXDatagramSocket.newInstance(AFSocketType.SOCK_SEQPACKET)) {
                probe.connect(address);
            }
        } else {
            try (AFUNIXSocketChannel probe = AFUNIXSocketChannel.open()) {
                probe.connect(address);
            }
        }
    }

    private static boolean isSocket(Path path) throws IOException {
        Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return mode instanceof Integer && (((Integer) mode) & 0170000) == 0140000;
    }
}
