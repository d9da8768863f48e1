package org.ipclab.socket;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

import org.ipclab.core.BadInputException;
import org.ipclab.core.FileSweeper;
import org.ipclab.core.Names;
import org.ipclab.core.OwnedFiles;
import org.ipclab.core.Users;
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
            OwnedFiles.removeFileIfOwned(path, Users.uid()); // nobody is bound to it: a leftover of a crashed run
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

    /**
     * Gives a socket file under a user's path its final permissions before anyone can see it. bind(2)
     * creates the file with 0777 minus the umask, and a chmod by the final name afterwards could be
     * redirected (the path swapped in a directory others can write). So the socket is bound inside a
     * fresh 0700 directory of ours beside its final place, made 0600 there, and only then given its
     * name with link(2), which fails rather than replace anything; a connected socket keeps working
     * under the new name (a Unix socket is found by its inode).
     */
    static final class Staging {
        final Path directory;
        final Path socket;
        final Path target;
        private boolean published;

        private Staging(Path directory, Path target) {
            this.directory = directory;
            this.socket = directory.resolve(Names.random(8)); // unguessable even if the directory were renamed away
            this.target = target;
        }

        static Staging beside(Path target) throws IOException {
            Path dir = target.getParent();
            FileSweeper.removeOwnStaleStaging(dir); // what a crash of ours left here before
            Path staging;
            for (int attempt = 0; ; attempt++) {
                try {
                    staging = Files.createDirectory(dir.resolve(Names.unique("bind")),
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                    break;
                } catch (java.nio.file.FileAlreadyExistsException taken) {
                    if (attempt >= 10) throw taken;
                } catch (java.nio.file.FileSystemException e) {
                    throw new BadInputException("cannot bind Unix socket " + target + ": cannot create a file in " + dir + ": "
                            + (e.getReason() != null ? e.getReason() : e.getClass().getSimpleName()));
                }
            }
            Staging s = new Staging(staging, target);
            int bytes = s.socket.toString().getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_PATH_BYTES) {
                Files.deleteIfExists(staging);
                throw new BadInputException("Unix socket path " + target + " is too long to bind safely: ipclab binds it first as "
                        + s.socket + " (" + bytes + " bytes, over the limit of " + MAX_PATH_BYTES + "); use a shorter directory");
            }
            return s;
        }

        /** After bind: 0600 inside our directory, then the final name; the staging name and directory go. */
        void publish() throws IOException {
            publish(false);
        }

        /**
         * {@code keepStagingName}: junixsocket's server socket checks that the file it was bound to
         * is still its own and closes itself when it is not, so for it the staging name (a second
         * link to the same socket, in our 0700 directory) stays until close.
         */
        void publish(boolean keepStagingName) throws IOException {
            PosixFileAttributes a = Files.readAttributes(directory, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isDirectory() || (Integer) Files.getAttribute(directory, "unix:uid", LinkOption.NOFOLLOW_LINKS) != Users.uid()) {
                throw new IOException(directory + " is no longer our directory; refusing to publish the socket");
            }
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            try {
                Files.createLink(target, socket);
                published = true;
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                throw new IOException(target + " appeared while we were binding (someone else's?); refusing to replace it");
            } finally {
                if (!keepStagingName || !published) discard();
            }
        }

        /** True once the final name is ours to remove. */
        boolean published() {
            return published;
        }

        /** Removes the staging name and directory (the published name, if any, stays). */
        void discard() throws IOException {
            OwnedFiles.removeTree(directory, Users.uid());
        }
    }
}
