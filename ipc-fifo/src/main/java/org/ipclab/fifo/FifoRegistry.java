package org.ipclab.fifo;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.ipclab.core.Names;

/**
 * Where {@code ipc clean} learns about FIFOs made in a directory the user chose ({@code --path DIR}):
 * the file sweeper only looks at {@code ipclab-<pid>-*} names in the temp directory, and DIR can be
 * anywhere. While such FIFOs exist, a small entry {@code <tmp>/.ipclab-fifos-<uid>/<pid>-<n>} lists
 * their paths; {@link FifoSweeper} reads it after a crash. (With the default private directory no
 * entry is needed: that directory is itself named {@code ipclab-<pid>-fifo-...}.)
 *
 * <p>The registry directory is 0700 and must be ours and not a symbolic link; otherwise it is
 * ignored (another user could have planted it) and clean-up after a crash falls back to the
 * message that names the FIFOs.
 */
final class FifoRegistry {
    private FifoRegistry() {
    }

    static Path directory() {
        return Names.tempRoot().resolve(".ipclab-fifos-" + FifoFiles.posix().getuid());
    }

    /** Records the FIFOs; returns the entry to delete on close, or empty when the registry is unusable. */
    static Optional<Path> record(List<Path> fifos) {
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                return Optional.of(tryRecord(fifos));
            } catch (java.nio.file.NoSuchFileException raced) {
                // another run removed the empty registry directory just now: make it again
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static Path tryRecord(List<Path> fifos) throws IOException {
        Path dir = directory();
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // another run made it first
            }
        }
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) throw new java.nio.file.NoSuchFileException(dir.toString());
        if (!trustworthy(dir)) throw new IOException("registry directory " + dir + " is not ours or not 0700");
        String name = ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime());
        Path entry = dir.resolve(name);
        List<String> lines = new ArrayList<>();
        for (Path f : fifos) lines.add(f.toAbsolutePath().toString());
        Files.write(entry, lines);
        Files.setPosixFilePermissions(entry, PosixFilePermissions.fromString("rw-------"));
        return entry;
    }

    static void forget(Optional<Path> entry) {
        entry.ifPresent(e -> {
            try {
                Files.deleteIfExists(e);
                Files.deleteIfExists(e.getParent()); // only when empty: nothing of ours stays in /tmp
            } catch (IOException ignored) {
                // not empty (another run's entry), or ipc clean will find it
            }
        });
    }

    static boolean trustworthy(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return false;
        int uid = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return uid == FifoFiles.posix().getuid() && (mode & 077) == 0;
    }

    /** The entries, each with its creator pid. */
    static List<Path> entries() throws IOException {
        Path dir = directory();
        List<Path> found = new ArrayList<>();
        if (!trustworthy(dir)) return found;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                if (creatorPid(p) > 0) found.add(p);
            }
        }
        return found;
    }

    static long creatorPid(Path entry) {
        String name = entry.getFileName().toString();
        int dash = name.indexOf('-');
        try {
            return dash > 0 ? Long.parseLong(name.substring(0, dash)) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
