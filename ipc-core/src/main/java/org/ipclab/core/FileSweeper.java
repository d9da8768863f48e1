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
