package org.ipclab.mqueue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import org.ipclab.core.Names;

/**
 * A record of the POSIX queue names ipclab created, so {@code ipc clean} can find them: the queues
 * live in a kernel namespace that is only listable through an {@code mqueue} file system, and
 * {@code /dev/mqueue} is not mounted by default. One empty 0600 file per queue in a 0700
 * directory {@code <tmp>/ipclab-mqueue-names/}, written before {@code mq_open} and deleted after
 * {@code mq_unlink}. (The directory's name carries no pid, so the file sweeper leaves it alone.)
 */
final class Registry {
    static final String DIRECTORY = "ipclab-mqueue-names";

    private Registry() {
    }

    static Path directory() {
        return Names.tempRoot().resolve(DIRECTORY);
    }

    /** Records a queue name (with its leading slash); returns false when the registry cannot be used. */
    static boolean record(String queueName) {
        try {
            Path dir = usableDirectory();
            if (dir == null) return false;
            Path f = dir.resolve(queueName.substring(1));
            if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
                Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static void forget(String queueName) {
        try {
            Files.deleteIfExists(directory().resolve(queueName.substring(1)));
        } catch (IOException | RuntimeException ignored) {
            // a stale record is dropped by the sweeper once the queue is gone
        }
    }

    /** Every recorded queue name, with its leading slash. */
    static List<String> names() throws IOException {
        List<String> names = new ArrayList<>();
        Path dir = directory();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return names;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "ipclab-*")) {
            for (Path p : entries) names.add("/" + p.getFileName());
        }
        return names;
    }

    /** The directory, created 0700 when absent; null when it exists but is not a directory of ours. */
    private static Path usableDirectory() throws IOException {
        Path dir = directory();
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // another process created it
            }
        }
        PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isDirectory()) return null;
        if (!a.owner().getName().equals(System.getProperty("user.name"))) return null;
        return dir;
    }
}
