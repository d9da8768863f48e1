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
 * Finds the System V semaphore sets ({@code wait=sysv-sem}) a crashed run left behind, for
 * {@code ipc clean}: {@code /proc/sysvipc/sem} lists every set with its key and creator uid; ours
 * have a key whose top byte is 'I' and that carries the creator's pid ({@link SysvSemaphores#key}).
 */
public final class SysvSemSweeper implements Sweeper {
    static final Path SYSVIPC_SEM = Path.of("/proc/sysvipc/sem");

    @Override
    public List<Leftover> find(boolean all) throws IOException {
        List<Leftover> found = new ArrayList<>();
        if (!Files.isReadable(SYSVIPC_SEM) || Libc.unavailableBecause().isPresent()) return found;
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        List<String> lines = Files.readAllLines(SYSVIPC_SEM);
        // key semid perms nsems uid gid cuid cgid otime ctime
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 8) continue;
            int key;
            int semid;
            int cuid;
            try {
                key = (int) Long.parseLong(f[0]);
                semid = Integer.parseInt(f[1]);
                cuid = Integer.parseInt(f[6]);
            } catch (NumberFormatException e) {
                continue;
            }
            OptionalLong pid = SysvSemaphores.creatorPid(key);
            if (pid.isEmpty()) continue;
            boolean alive = ProcessHandle.of(pid.getAsLong()).map(ProcessHandle::isAlive).orElse(false);
            if (all || !alive) found.add(new SemLeftover(key, semid, cuid, pid.getAsLong(), alive, cuid == uid));
        }
        return found;
    }

    private static final class SemLeftover implements Leftover {
        private final int key;
        private final int semid;
        private final int uid;
        private final long pid;
        private final boolean alive;
        private final boolean ours;

        SemLeftover(int key, int semid, int uid, long pid, boolean alive, boolean ours) {
            this.key = key;
            this.semid = semid;
            this.uid = uid;
            this.pid = pid;
            this.alive = alive;
            this.ours = ours;
        }

        @Override
        public String describe() {
            return String.format("System V semaphore set semid %d key 0x%08x (creator pid %d %s%s)",
                    semid, key, pid, alive ? "still running" : "is gone", ours ? "" : ", uid " + uid + ": not ours");
        }

        /** The owner's uid (another user's set is reported, not removed). */
        public int ownerUid() {
            return uid;
        }

        /** Called for ours, or by root with --all-users ({@link Sweeper#removable}): root may remove anyone's set. */
        @Override
        public void remove() throws IOException {
            if (SysvSemaphores.api().semctl(semid, 0, SysvSemaphores.IPC_RMID, 0) != 0) {
                int errno = jnr.ffi.Runtime.getRuntime(SysvSemaphores.api()).getLastError();
                if (errno != SysvSemaphores.EINVAL && errno != SysvSemaphores.EIDRM) {
                    throw new org.ipclab.core.NativeException("semctl(" + semid + ", IPC_RMID)", errno);
                }
            }
        }

        @Override
        public String toString() {
            return describe();
        }
    }
}
