package org.ipclab.mqueue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import org.ipclab.core.Names;
import org.ipclab.core.Users;

/**
 * A per-user record of the queues ipclab created, so {@code ipc clean} can find them.
 *
 * <p>POSIX queues live in a kernel namespace that is only listable through an {@code mqueue} file
 * system, and {@code /dev/mqueue} is not mounted by default; their names are random, so they
 * cannot be guessed either. System V queues made under {@code IPC_PRIVATE} (when another user
 * holds the keys that name our pid, see {@link SysvQueue}) carry no pid at all. So each is noted
 * as an empty 0600 file — {@code ipclab-...} for a POSIX name, {@code sysv-<msqid>-<pid>} for a
 * System V queue — before it is created and deleted after it is removed.
 *
 * <p>The directory belongs to one user: {@code <tmp>/.ipclab-mqueues-<uid>}, 0700, ours and not a
 * link; one that another user planted there is never used (nor trusted), and then the record goes
 * to {@code ~/.cache/ipclab-mqueues} instead, so planting a directory cannot make us lose track.
 * Root also reads the other users' directories (each only if it belongs to the uid in its name), to
 * show their leftovers.
 */
final class Registry {
    static final String PREFIX = ".ipclab-mqueues-";

    private Registry() {
    }

    /** Where this user's records may go, in order of preference. */
    static List<Path> candidates() {
        List<Path> dirs = new ArrayList<>();
        dirs.add(Names.tempRoot().resolve(PREFIX + Users.uid()));
        String home = System.getProperty("user.home");
        if (home != null && !home.isEmpty() && !home.equals("?")) dirs.add(Path.of(home, ".cache", "ipclab-mqueues"));
        return dirs;
    }

    /** Records a queue name (with its leading slash); false when it was recorded already or no registry can be used. */
    static boolean record(String queueName) {
        return note(queueName.substring(1));
    }

    static void forget(String queueName) {
        drop(queueName.substring(1));
    }

    /** Records a System V queue that has no key of ours. */
    static boolean recordSysv(int msqid) {
        return note(sysvEntry(msqid, ProcessHandle.current().pid()));
    }

    static void forgetSysv(int msqid) {
        for (Path dir : usable(false)) {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "sysv-" + msqid + "-*")) {
                for (Path p : s) Files.deleteIfExists(p);
            } catch (IOException | RuntimeException ignored) {
                // the sweeper drops records of queues that are gone
            }
        }
    }

    static String sysvEntry(int msqid, long pid) {
        return "sysv-" + msqid + "-" + pid;
    }

    private static boolean note(String entry) {
        for (Path dir : candidates()) {
            try {
                if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(dir.getParent());
                    try {
                        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                    } catch (FileAlreadyExistsException raced) {
                        // another run (or someone else: checked below) made it first
                    }
                }
                if (!trustworthy(dir, Users.uid())) continue;
                Path f = dir.resolve(entry);
                try {
                    Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                    return true;
                } catch (FileAlreadyExistsException already) {
                    return false; // recorded before: not ours to forget on failure
                }
            } catch (IOException | RuntimeException e) {
                // try the next place
            }
        }
        return false;
    }

    private static void drop(String entry) {
        for (Path dir : usable(false)) {
            try {
                Files.deleteIfExists(dir.resolve(entry));
            } catch (IOException | RuntimeException ignored) {
                // a stale record is dropped by the sweeper once the queue is gone
            }
        }
    }

    /** A directory we may read records from: a real directory of {@code uid}, closed to others. */
    static boolean trustworthy(Path dir, int uid) {
        try {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return false;
            int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return owner == uid && (mode & 077) == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Our registry directories, and with {@code everyone} (root) the other users' in the temp directory. */
    static List<Path> usable(boolean everyone) {
        List<Path> dirs = new ArrayList<>();
        for (Path d : candidates()) if (trustworthy(d, Users.uid())) dirs.add(d);
        if (everyone && Users.isRoot()) {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(Names.tempRoot(), PREFIX + "*")) {
                for (Path d : s) {
                    OptionalLong uid = parse(d.getFileName().toString().substring(PREFIX.length()));
                    if (uid.isPresent() && uid.getAsLong() != Users.uid() && trustworthy(d, (int) uid.getAsLong())) dirs.add(d);
                }
            } catch (IOException | RuntimeException ignored) {
                // then only ours
            }
        }
        return dirs;
    }

    /** This user's recorded POSIX queue names (with their leading slash). */
    static List<String> names() throws IOException {
        return names(false);
    }

    /** Every recorded POSIX queue name (with its leading slash); with {@code everyone}, root's view of all users'. */
    static List<String> names(boolean everyone) throws IOException {
        List<String> names = new ArrayList<>();
        for (Path dir : usable(everyone)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "ipclab-*")) {
                for (Path p : entries) names.add("/" + p.getFileName());
            } catch (NoSuchFileException gone) {
                // removed meanwhile
            }
        }
        return names;
    }

    /** The System V queues this user recorded: msqid → creator pid. */
    static Map<Integer, Long> sysvQueues() throws IOException {
        Map<Integer, Long> found = new LinkedHashMap<>();
        for (Path dir : usable(false)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "sysv-*")) {
                for (Path p : entries) {
                    String[] f = p.getFileName().toString().split("-");
                    if (f.length != 3) continue;
                    OptionalLong id = parse(f[1]);
                    OptionalLong pid = parse(f[2]);
                    if (id.isPresent() && pid.isPresent()) found.put((int) id.getAsLong(), pid.getAsLong());
                }
            } catch (NoSuchFileException gone) {
                // removed meanwhile
            }
        }
        return found;
    }

    private static OptionalLong parse(String s) {
        try {
            return OptionalLong.of(Long.parseLong(s));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
