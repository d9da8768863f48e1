package org.ipclab.core;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Our files and directories in the temp directory and in /dev/shm (fifos, socket files, shm
 * segments, named semaphores). Both are sticky directories, so nobody but an entry's owner (and
 * root) can rename or remove it: its owner, read at find time, is still its owner at removal.
 * Removal never follows a symbolic link ({@link OwnedFiles#removeTree}).
 */
public final class FileSweeper implements Sweeper {
    private final List<Path> roots;

    public FileSweeper() {
        this(List.of(Names.tempRoot(), Path.of("/dev/shm")));
    }

    public FileSweeper(List<Path> roots) {
        this.roots = roots;
    }

    @Override
    public List<Leftover> find(boolean all) throws IOException {
        List<Leftover> found = new ArrayList<>();
        for (Path root : roots) {
            if (!Files.isDirectory(root)) continue;
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, "*ipclab-*")) {
                for (Path p : entries) {
                    String name = p.getFileName().toString();
                    if (Names.creatorPid(name).isEmpty()) continue;
                    int owner = Users.ownerOf(p);
                    if (owner < 0) continue; // gone meanwhile
                    if (all || Names.isStale(name)) found.add(new FileLeftover(p, owner));
                }
            }
        }
        return found;
    }

    /**
     * What names a staging directory: {@code ipclab-<pid>-bind-*} (a socket file bound under a
     * user's path) and {@code ipclab-<pid>-mkfifo-*} (a FIFO made there), each made beside the final
     * name and removed once the object has it. A crash in between leaves one behind.
     */
    private static final java.util.regex.Pattern STAGING = java.util.regex.Pattern.compile("ipclab-\\d+-(bind|mkfifo)-[a-z0-9]+");

    /**
     * The staging directories in {@code dir} — a directory a user chose ({@code --path}), not
     * /tmp — whose creator is gone ({@code all}: every one), of any user, for {@code ipc clean --path}.
     * Only staging names are looked at: everything else in a user's directory is the user's.
     */
    public static List<Leftover> stagingIn(Path dir, boolean all) throws IOException {
        List<Leftover> found = new ArrayList<>();
        if (!Files.isDirectory(dir)) return found;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "ipclab-*")) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (!STAGING.matcher(name).matches()) continue;
                int owner = Users.ownerOf(p);
                if (owner < 0) continue;
                if (all || Names.isStale(name)) found.add(new FileLeftover(p, owner));
            }
        }
        return found;
    }

    /**
     * Before making a staging directory in {@code dir}: removes the caller's own stale ones there
     * (a crashed run of ours), never another user's; quietly, it only tidies.
     */
    public static void removeOwnStaleStaging(Path dir) {
        try {
            for (Leftover l : stagingIn(dir, false)) {
                if (l.ownerUid() != Users.uid()) continue;
                try {
                    l.remove();
                } catch (IOException ignored) {
                    // gone meanwhile, or not removable: the next clean says so
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // an unreadable directory: the create that follows reports what matters
        }
    }

    /**
     * Removes what a process of ours that has ended (a client killed with SIGKILL cannot clean up)
     * left in the temp directory and /dev/shm: the entries named for its pid that this user owns,
     * nothing else. Quiet, it only tidies: {@code ipc clean} reports anything it could not remove.
     */
    public static void removeOwnLeftoversOf(long pid) {
        new FileSweeper().removeOwnOf(pid);
    }

    /** As {@link #removeOwnLeftoversOf}, in this sweeper's roots. */
    void removeOwnOf(long pid) {
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) return; // still running, or the pid is someone else's now
        for (Path root : roots) {
            if (!Files.isDirectory(root)) continue;
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, "ipclab-" + pid + "-*")) {
                for (Path p : entries) {
                    if (Names.creatorPid(p.getFileName().toString()).orElse(-1) != pid || Users.ownerOf(p) != Users.uid()) continue;
                    try {
                        OwnedFiles.removeTree(p, Users.uid());
                    } catch (IOException ignored) {
                        // gone meanwhile, or not removable: the next clean says so
                    }
                }
            } catch (IOException | RuntimeException ignored) {
                // an unreadable root: nothing of ours can be there
            }
        }
    }

    private static final class FileLeftover implements Leftover {
        private final Path path;
        private final int owner;

        FileLeftover(Path path, int owner) {
            this.path = path;
            this.owner = owner;
        }

        @Override
        public String describe() {
            String type = Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) ? "directory" : "file";
            long pid = Names.creatorPid(path.getFileName().toString()).orElse(-1);
            boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            return type + " " + path + " (creator pid " + pid + (alive ? " still running)" : " is gone)");
        }

        @Override
        public int ownerUid() {
            return owner;
        }

        @Override
        public void remove() throws IOException {
            OwnedFiles.removeTree(path, owner);
        }
    }
}
