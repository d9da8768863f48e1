package org.ipclab.core;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Our files and directories in the temp directory and in /dev/shm (fifos, socket files, shm segments, named semaphores). */
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
                    if (all || Names.isStale(name)) found.add(new FileLeftover(p));
                }
            }
        }
        return found;
    }

    private static final class FileLeftover implements Leftover {
        private final Path path;

        FileLeftover(Path path) {
            this.path = path;
        }

        @Override
        public String describe() {
            String type = Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) ? "directory" : "file";
            long pid = Names.creatorPid(path.getFileName().toString()).orElse(-1);
            boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            return type + " " + path + " (creator pid " + pid + (alive ? " still running)" : " is gone)");
        }

        @Override
        public void remove() throws IOException {
            if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> walk = Files.walk(path)) {
                    for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                        Files.deleteIfExists(p);
                    }
                }
            } else {
                Files.deleteIfExists(path);
            }
        }
    }
}
