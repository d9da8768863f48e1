package org.ipclab.socket;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;

import org.ipclab.core.BadInputException;

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

    /**
     * A path that exists: a stale socket file of ours (nobody listening) is removed so we can bind;
     * a socket someone listens on, a socket of another user, or anything that is not a socket is refused.
     */
    static void reclaimIfStale(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) return;
        PosixFileAttributes attrs = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attrs.isOther() || !isSocket(path)) {
            throw new BadInputException("path " + path + " exists and is not a socket; refusing to replace it");
        }
        if (!attrs.owner().getName().equals(System.getProperty("user.name"))) {
            throw new BadInputException("socket " + path + " belongs to " + attrs.owner().getName() + ", not to us; refusing to replace it");
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
            throw new BadInputException("socket " + path + " is in use: a server is listening on it");
        } catch (IOException refused) {
            Files.deleteIfExists(path); // nobody listens: a stale file from a crashed run
        }
    }

    private static boolean isSocket(Path path) throws IOException {
        Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return mode instanceof Integer && (((Integer) mode) & 0170000) == 0140000;
    }
}
