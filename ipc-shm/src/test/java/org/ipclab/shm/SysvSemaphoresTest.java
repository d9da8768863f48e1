package org.ipclab.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.ChannelSpec;
import org.ipclab.core.Leftover;
import org.ipclab.core.peer.PeerLauncher;
import org.ipclab.core.peer.PeerSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code wait=sysv-sem} as {@code ipcs -s} sees it: one 0600 set of five under our key while a run
 * lasts, the peer's presence taken back by the kernel (SEM_UNDO) when it is killed, nothing after
 * close; and {@code ipc clean} finds a crashed run's set by the pid in its key.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SysvSemaphoresTest {
    private static final Duration STEP = Duration.ofSeconds(10);

    @Test
    void theSetIsInIpcsDuringARunThePeersPresenceIsUndoneWhenItDiesAndCloseRemovesIt() throws IOException, InterruptedException {
        int semid;
        try (PeerSession peer = PeerLauncher.launch(ChannelSpec.of("shm").with("wait", "sysv-sem").with("capacity", "64k"), Duration.ofSeconds(30))) {
            semid = Integer.parseInt(peer.effectiveParameters().get("sysvSemaphores").replaceAll("semid (\\d+).*", "$1"));
            String[] row = row(semid).orElseThrow(() -> new AssertionError("semid not in /proc/sysvipc/sem"));
            assertEquals(SysvSemaphores.key(ProcessHandle.current().pid(), 0) & 0xFF000000, (int) Long.parseLong(row[0]) & 0xFF000000, "our key");
            assertEquals(ProcessHandle.current().pid(), SysvSemaphores.creatorPid((int) Long.parseLong(row[0])).getAsLong(), "the key carries our pid");
            assertEquals("600", row[2], "owner-only from semget on");
            assertEquals("5", row[3], "data and space for each ring, and presence");
            peer.channel().send(ByteBuffer.wrap(new byte[32]), STEP);
            assertEquals(32, peer.channel().receive(ByteBuffer.allocate(64), STEP));
            SysvSemaphores set = SysvSemaphores.open(semid);
            assertEquals(1, set.value(SysvSemaphores.PRESENCE), "the attached peer added 1 with SEM_UNDO");
            peer.kill();
            assertEquals(0, set.value(SysvSemaphores.PRESENCE), "the kernel undid the killed peer's +1");
        }
        assertTrue(row(semid).isEmpty(), "the set is removed on close (IPC_RMID)");
    }

    @Test
    void ipcCleanFindsACrashedRunsSetByThePidInItsKey() throws IOException, InterruptedException {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        int key = SysvSemaphores.key(gone.pid(), 3);
        int semid = SysvSemaphores.api().semget(key, SysvSemaphores.COUNT, SysvSemaphores.IPC_CREAT | 0600);
        assertTrue(semid >= 0, "semget for a stand-in leftover");
        try {
            List<Leftover> found = new SysvSemSweeper().find(false);
            Leftover mine = found.stream().filter(l -> l.describe().contains("semid " + semid + " ")).findFirst()
                    .orElseThrow(() -> new AssertionError("the sweeper missed semid " + semid + ": " + found));
            assertTrue(mine.describe().contains("creator pid " + gone.pid() + " is gone"), mine.describe());
            mine.remove();
            assertTrue(row(semid).isEmpty(), "ipc clean removed it");
        } finally {
            SysvSemaphores.api().semctl(semid, 0, SysvSemaphores.IPC_RMID, 0);
        }
    }

    /** The /proc/sysvipc/sem row of a semid: key semid perms nsems uid gid cuid cgid otime ctime. */
    private static Optional<String[]> row(int semid) throws IOException {
        for (String line : Files.readAllLines(SysvSemSweeper.SYSVIPC_SEM)) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 3 && f[1].equals(Integer.toString(semid))) return Optional.of(f);
        }
        return Optional.empty();
    }
}
