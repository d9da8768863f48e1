package org.ipclab.fifo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.ipclab.core.Leftover;
import org.ipclab.core.OwnedFiles;
import org.ipclab.core.Sweeper;
import org.ipclab.core.Users;

/**
 * For {@code ipc clean}: FIFOs that a crashed {@code ipc serve --mechanism fifo --path DIR} left in
 * DIR (see {@link FifoRegistry}). FIFOs in our private temp directories are the file sweeper's.
 * Only paths that are still FIFOs owned by us are removed.
 */
public final class FifoSweeper implements Sweeper {
    @Override
    public List<Leftover> find(boolean all) throws IOException {
        List<Leftover> found = new ArrayList<>();
        for (Path entry : FifoRegistry.entries()) {
            long pid = FifoRegistry.creatorPid(entry);
            boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            if (alive && !all) continue;
            List<Path> fifos = new ArrayList<>();
            for (String line : Files.readAllLines(entry)) {
                if (!line.isBlank()) fifos.add(Path.of(line.trim()));
            }
            found.add(new FifoLeftover(entry, fifos, pid, alive));
        }
        return found;
    }

    private static final class FifoLeftover implements Leftover {
        private final Path entry;
        private final List<Path> fifos;
        private final long pid;
        private final boolean alive;

        FifoLeftover(Path entry, List<Path> fifos, long pid, boolean alive) {
            this.entry = entry;
            this.fifos = fifos;
            this.pid = pid;
            this.alive = alive;
        }

        @Override
        public String describe() {
            return "fifo " + fifos + " (creator pid " + pid + (alive ? " still running)" : " is gone)");
        }

        @Override
        public int ownerUid() {
            return Users.uid(); // the registry is per user: its entries are ours
        }

        @Override
        public void remove() throws IOException {
            for (Path f : fifos) {
                // only a FIFO that is still ours, unlinked relative to its directory: someone else's file now
                // bearing that name (or a link swapped in for a path component) is left alone
                if (FifoFiles.isFifo(f)) OwnedFiles.removeFileIfOwned(f, Users.uid());
            }
            Files.deleteIfExists(entry);
            try {
                Files.deleteIfExists(entry.getParent());
            } catch (IOException notEmpty) {
                // other entries remain
            }
        }
    }
}
