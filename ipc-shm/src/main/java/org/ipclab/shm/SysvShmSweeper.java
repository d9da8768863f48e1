package org.ipclab.shm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import org.ipclab.core.Leftover;
import org.ipclab.core.Sweeper;

/**
 * Finds the System V shm segments ({@code segment=sysv}) a crashed run left behind, for
 * {@code ipc clean}. A segment outlives a crash only before its peer attached: from then on it is
 * marked for removal and the kernel frees it on the last detach. {@code /proc/sysvipc/shm} lists
 * every segment with its key, creator pid and owner; ours have a key whose top byte is 'I' and
 * that carries the creator's pid ({@link SysvSemaphores#key}); the owner decides whose it is
 * (anyone may create a segment under such a key).
 */
public final class SysvShmSweeper implements Sweeper {
    static final Path SYSVIPC_SHM = Path.of("/proc/sysvipc/shm");

    @Override
    public List<Leftover> find(boolean all) throws IOException {
        List<Leftover> found = new ArrayList<>();
        if (!Files.isReadable(SYSVIPC_SHM) || Libc.unavailableBecause().isPresent()) return found;
        List<String> lines = Files.readAllLines(SYSVIPC_SHM);
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            Row row = Row.parse(line);
            if (row == null) continue;
            OptionalLong pid = SysvSemaphores.creatorPid(row.key);
            if (pid.isEmpty()) continue; // not ours, or already IPC_RMID'd (key 0): the kernel frees it on the last detach
            boolean alive = ProcessHandle.of(pid.getAsLong()).map(ProcessHandle::isAlive).orElse(false);
            if (all || !alive) found.add(new SegmentLeftover(row, pid.getAsLong(), alive));
        }
        return found;
    }

    /** One line of /proc/sysvipc/shm: key shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime rss swap. */
    record Row(int key, int shmid, int perms, long size, long cpid, long nattch, int uid) {
        static Row parse(String line) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 11) return null;
            try {
                return new Row((int) Long.parseLong(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2], 8), Long.parseLong(f[3]),
                        Long.parseLong(f[4]), Long.parseLong(f[6]), Integer.parseInt(f[7]));
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    private static final class SegmentLeftover implements Leftover {
        private final Row row;
        private final long pid;
        private final boolean alive;

        SegmentLeftover(Row row, long pid, boolean alive) {
            this.row = row;
            this.pid = pid;
            this.alive = alive;
        }

        @Override
        public String describe() {
            return String.format("System V shm segment shmid %d key 0x%08x, %d bytes, %d attached (creator pid %d %s)",
                    row.shmid, row.key, row.size, row.nattch, pid, alive ? "still running" : "is gone");
        }

        @Override
        public int ownerUid() {
            return row.uid;
        }

        /** IPC_RMID: gone at once when nobody is attached, else on the last detach. */
        @Override
        public void remove() throws IOException {
            SysvShm.remove(row.shmid);
        }

        @Override
        public String toString() {
            return describe();
        }
    }
}
