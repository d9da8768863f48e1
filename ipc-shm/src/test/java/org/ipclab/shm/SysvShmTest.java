package org.ipclab.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.BadInputException;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.IpcException;
import org.ipclab.core.Leftover;
import org.ipclab.core.ServerEnd;
import org.ipclab.core.Sweeper;
import org.ipclab.core.Users;
import org.ipclab.core.peer.PeerLauncher;
import org.ipclab.core.peer.PeerSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code segment=sysv} as {@code ipcs -m} and {@code /proc/sysvipc/shm} see it: one 0600 segment
 * under our key until the peer attaches, then marked for destruction (key 0, "dest") with both
 * attached, one attachment after the peer is SIGKILLed, and nothing of ours after close; and
 * {@code ipc clean} finding a crashed run's segment by the pid in its key, only the caller's own.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SysvShmTest {
    private static final Duration STEP = Duration.ofSeconds(10);
    private final ShmProvider provider = new ShmProvider();

    @Test
    void theSegmentIsBorn0600UnderOurKeyAndMarkedForRemovalOnceThePeerAttaches() throws Exception {
        long me = ProcessHandle.current().pid();
        int shmid;
        try (PeerSession peer = PeerLauncher.launch(ChannelSpec.of("shm").with("segment", "sysv").with("capacity", "64k"), Duration.ofSeconds(30))) {
            assertEquals("sysv", peer.effectiveParameters().get("segment"));
            shmid = Integer.parseInt(peer.effectiveParameters().get("shmid"));
            SysvShmSweeper.Row row = row(shmid).orElseThrow(() -> new AssertionError("shmid not in /proc/sysvipc/shm"));
            assertEquals(me, row.cpid(), "created by this process");
            assertEquals(0600, row.perms() & 0777, "owner-only from shmget on");
            assertEquals(ShmLayout.segmentLength(64 << 10), row.size());
            peer.channel().send(ByteBuffer.wrap(new byte[32]), STEP);
            assertEquals(32, peer.channel().receive(ByteBuffer.allocate(64), STEP));
            row = row(shmid).orElseThrow();
            assertEquals(0, row.key(), "IPC_RMID once both are attached: the kernel shows key 0 from then on");
            assertEquals(SysvShm.SHM_DEST, row.perms() & SysvShm.SHM_DEST, "marked for destruction");
            assertEquals(2, row.nattch(), "both processes attached");
            String ipcs = run("ipcs", "-m");
            assertTrue(ipcs.lines().anyMatch(l -> l.matches("0x00000000\\s+" + shmid + "\\s.*\\s2\\s+dest\\s*")), ipcs);
            peer.kill();
            assertEquals(1, awaitAttached(shmid, 1), "the kernel detached the SIGKILLed peer; we still hold it");
        }
        assertTrue(row(shmid).isEmpty(), "close ended our attachment, the last one: the kernel destroyed the segment");
        assertTrue(run("ipcs", "-m", "-p").lines().noneMatch(l -> l.matches("\\s*" + shmid + "\\s+\\S+\\s+" + me + "\\s.*")),
                "nothing of ours in ipcs -m -p");
    }

    @Test
    void aServerEndWithoutPeerRemovesItsSegmentOnClose() throws Exception {
        int shmid;
        try (ServerEnd server = provider.open(ChannelSpec.of("shm").with("segment", "sysv").with("capacity", "4k"))) {
            shmid = Integer.parseInt(server.effectiveParameters().get("shmid"));
            SysvShmSweeper.Row row = row(shmid).orElseThrow();
            assertEquals(ProcessHandle.current().pid(), SysvSemaphores.creatorPid(row.key()).getAsLong(), "the key carries our pid");
            assertTrue(server.createdObjects().contains("sysv-shm:shmid " + shmid), server.createdObjects().toString());
        }
        assertTrue(row(shmid).isEmpty(), "nobody attached: destroyed at once");
    }

    @Test
    void aShmidThatIsNotOursIsRefusedWithoutTouchingIt() throws Exception {
        int foreign = SysvShm.api().shmget(SysvShm.IPC_PRIVATE, 8192, SysvShm.IPC_CREAT | 0600);
        assertTrue(foreign >= 0);
        try {
            IpcException e = assertThrows(IpcException.class,
                    () -> provider.connect(ChannelSpec.of("shm").with(ShmProvider.SHMID, Integer.toString(foreign)), STEP));
            assertTrue(e.getMessage().contains("not an ipclab shm segment"), e.getMessage());
            assertEquals(0, row(foreign).orElseThrow().perms() & SysvShm.SHM_DEST, "someone else's segment is not removed");
        } finally {
            SysvShm.remove(foreign);
        }
        BadInputException bad = assertThrows(BadInputException.class, () -> provider.open(ChannelSpec.of("shm").with("segment", "sysv").with("path", "/tmp")));
        assertTrue(bad.getMessage().contains("segment=posix"), bad.getMessage());
    }

    @Test
    void ipcCleanFindsACrashedRunsSegmentAndOnlyOurs() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        int ours = SysvShm.api().shmget(SysvSemaphores.key(gone.pid(), 3), 4096, SysvShm.IPC_CREAT | SysvShm.IPC_EXCL | 0600);
        assertTrue(ours >= 0, "shmget for a stand-in leftover");
        List<String> theirs = new ArrayList<>();
        try {
            // uid 65534 creates a segment under a key that names the same dead pid
            String id = asNobody("/usr/bin/python3 -c 'import ctypes; print(ctypes.CDLL(None).shmget("
                    + SysvSemaphores.key(gone.pid(), 2) + ", 4096, 0o1000 | 0o2000 | 0o600))'").trim();
            assertTrue(Integer.parseInt(id) >= 0, "nobody's shmget: " + id);
            theirs.add(id);
            List<Leftover> found = new SysvShmSweeper().find(false);
            Leftover mine = find(found, ours).orElseThrow(() -> new AssertionError("the sweeper missed shmid " + ours + ": " + found));
            assertTrue(mine.describe().contains("creator pid " + gone.pid() + " is gone"), mine.describe());
            assertTrue(mine.ours() && Sweeper.removable(mine, false));
            Leftover other = find(found, Integer.parseInt(id)).orElseThrow(() -> new AssertionError("root sees the other user's: " + found));
            assertEquals(65534, other.ownerUid());
            assertFalse(Sweeper.removable(other, false), "another user's segment is left alone without --all-users");
            assertEquals(Users.isRoot(), Sweeper.removable(other, true), "root with --all-users may");
            assertTrue(new SysvShmSweeper().find(false).stream().noneMatch(l -> l.describe().contains("creator pid " + ProcessHandle.current().pid())),
                    "a live creator's segment is not stale");
            mine.remove();
            assertTrue(row(ours).isEmpty(), "ipc clean removed ours");
            assertTrue(row(Integer.parseInt(id)).isPresent(), "and not theirs");
            if (Users.isRoot()) {
                other.remove(); // what `ipc clean --all-users` does for root
                assertTrue(row(Integer.parseInt(id)).isEmpty(), "root with --all-users removes another user's segment");
            }
        } finally {
            SysvShm.remove(ours);
            for (String id : theirs) new ProcessBuilder("ipcrm", "-m", id).start().waitFor();
        }
    }

    private static Optional<Leftover> find(List<Leftover> found, int shmid) {
        return found.stream().filter(l -> l.describe().contains("shmid " + shmid + " ")).findFirst();
    }

    static Optional<SysvShmSweeper.Row> row(int shmid) throws IOException {
        for (String line : Files.readAllLines(SysvShmSweeper.SYSVIPC_SHM)) {
            SysvShmSweeper.Row r = SysvShmSweeper.Row.parse(line);
            if (r != null && r.shmid() == shmid) return Optional.of(r);
        }
        return Optional.empty();
    }

    private static long awaitAttached(int shmid, long n) throws Exception {
        long deadline = System.nanoTime() + STEP.toNanos();
        long now;
        while ((now = row(shmid).map(SysvShmSweeper.Row::nattch).orElse(-1L)) != n && System.nanoTime() < deadline) Thread.sleep(10);
        return now;
    }

    /** Runs a shell command as uid 65534 and returns its output; skipped where setpriv is refused. */
    static String asNobody(String script) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Users.isRoot(), "needs root to become a second user (setpriv)");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(java.nio.file.Path.of("/usr/bin/setpriv"))
                && Files.isExecutable(java.nio.file.Path.of("/usr/bin/python3")), "needs /usr/bin/setpriv and /usr/bin/python3");
        String out = run("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/bin/sh", "-c", script);
        org.junit.jupiter.api.Assumptions.assumeTrue(!out.startsWith("setpriv:"), "setpriv refused here: " + out.trim());
        return out;
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return out;
    }
}
