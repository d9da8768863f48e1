package org.ipclab.mqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.BadInputException;
import org.ipclab.core.Leftover;
import org.ipclab.core.Names;
import org.ipclab.core.Sweeper;
import org.ipclab.core.Users;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Message queue names and System V keys that a second user (uid 65534) took first. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QueueHostileTest {
    @BeforeEach
    void available() {
        assumeTrue(Native.unavailableBecause() == null, String.valueOf(Native.unavailableBecause()));
    }

    @Test
    void systemVKeysAnotherUserPreCreatedDoNotHideOurQueueFromClean() throws Exception {
        long me = ProcessHandle.current().pid();
        assumeTrue(me < (1L << 22), "pid too large for our keys");
        List<String> theirs = new ArrayList<>();
        try {
            for (int slot = 0; slot < SysvQueue.SLOTS; slot++) {
                String id = asNobody("/usr/bin/python3 -c 'import ctypes; print(ctypes.CDLL(None).msgget("
                        + SysvQueue.key(me, slot) + ", 0o1000 | 0o2000 | 0o600))'").trim();
                assertTrue(Integer.parseInt(id) >= 0, "nobody took slot " + slot + ": " + id);
                theirs.add(id);
            }
            SysvQueue ours = SysvQueue.create();
            try {
                assertEquals(Native.IPC_PRIVATE, ours.key, "every key that names us is taken");
                List<Leftover> found = new QueueSweeper().find(true);
                Leftover mine = found.stream().filter(l -> l.describe().contains("msqid " + ours.msqid + " ")).findFirst()
                        .orElseThrow(() -> new AssertionError("ipc clean lost track of our IPC_PRIVATE queue: " + found));
                assertTrue(mine.ours());
                assertTrue(mine.describe().contains("creator pid " + me), mine.describe());
                for (String id : theirs) {
                    Leftover l = found.stream().filter(x -> x.describe().contains("msqid " + id + " ")).findFirst().orElseThrow();
                    assertEquals(65534, l.ownerUid(), l.describe());
                    assertFalse(Sweeper.removable(l, false), "theirs, though under our key");
                }
            } finally {
                SysvQueue.remove(ours.msqid);
            }
            assertFalse(Registry.sysvQueues().containsKey(ours.msqid), "the record goes with the queue");
        } finally {
            for (String id : theirs) new ProcessBuilder("ipcrm", "-q", id).start().waitFor();
        }
    }

    @Test
    void aPosixNameAnotherUserTookIsRefusedAndNotRecordedAsOurs() throws Exception {
        String name = "/" + Names.unique("hostile");
        asNobody(mqCreate(name));
        try {
            BadInputException e = assertThrows(BadInputException.class, () -> PosixQueue.create(name, 4, 64));
            assertTrue(e.getMessage().contains("already exists"), e.getMessage());
            assertFalse(Registry.names().contains(name), "someone else's queue must not enter our record");
        } finally {
            PosixQueue.unlink(name);
        }
    }

    @Test
    void anotherUsersStaleQueueIsShownToRootAsTheirsAndAPlantedRegistryIsNotTrusted() throws Exception {
        Path tmp = Files.createTempDirectory("mq-tmp");
        new ProcessBuilder("chmod", "1777", tmp.toString()).start().waitFor();
        String old = System.getProperty("java.io.tmpdir");
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String theirs = "/ipclab-" + gone.pid() + "-hostile-" + Long.toHexString(System.nanoTime());
        String ours = "/" + Names.unique("hostile");
        System.setProperty("java.io.tmpdir", tmp.toString());
        try {
            Path squat = tmp.resolve(Registry.PREFIX + Users.uid());
            Path their = tmp.resolve(Registry.PREFIX + "65534");
            // nobody: a stale queue recorded in their own registry, and a directory planted under our registry's name
            asNobody(mqCreate(theirs) + " && mkdir -m 700 " + their + " && touch " + their + theirs
                    + " && mkdir -m 777 " + squat + " && touch " + squat + "/ipclab-1-fake-x");
            try (PosixQueue q = PosixQueue.create(ours, 4, 64)) {
                assertFalse(Files.exists(squat.resolve(ours.substring(1))), "nothing of ours goes into their directory");
                assertTrue(Registry.names().contains(ours), "recorded elsewhere (home): " + Registry.names());
                assertFalse(Registry.names().contains("/ipclab-1-fake-x"), "their planted record is not read");
                List<Leftover> found = new QueueSweeper().find(true);
                assertTrue(found.stream().anyMatch(l -> l.describe().contains(ours) && l.ours()), found.toString());
                Leftover stale = new QueueSweeper().find(false).stream().filter(l -> l.describe().contains(theirs)).findFirst()
                        .orElseThrow(() -> new AssertionError("root sees the other user's stale queue: " + found));
                assertEquals(65534, stale.ownerUid());
                assertFalse(Sweeper.removable(stale, false), "left alone without --all-users");
            } finally {
                PosixQueue.unlink(ours);
            }
            assertFalse(Registry.names().contains(ours));
        } finally {
            System.setProperty("java.io.tmpdir", old);
            PosixQueue.unlink(theirs);
            new ProcessBuilder("rm", "-rf", tmp.toString()).start().waitFor();
        }
    }

    @Test
    void rootSeesEveryQueueThroughAPrivateMountWithNoRecordAtAll() throws Exception {
        assumeTrue(KernelQueueList.names().isPresent(), "fsopen(\"mqueue\") refused here (needs root, Linux 5.2+)");
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String theirs = "/ipclab-" + gone.pid() + "-unrecorded-" + Long.toHexString(System.nanoTime());
        asNobody(mqCreate(theirs)); // nobody records nothing anywhere
        try {
            assertTrue(KernelQueueList.names().get().contains(theirs));
            Leftover l = new QueueSweeper().find(false).stream().filter(x -> x.describe().contains(theirs)).findFirst()
                    .orElseThrow(() -> new AssertionError("root's clean must find an unrecorded stale queue"));
            assertEquals(65534, l.ownerUid(), "and say whose it is");
            assertFalse(Sweeper.removable(l, false));
            assertTrue(Files.notExists(Path.of("/dev/mqueue", theirs.substring(1))), "no mount left where others could see it");
        } finally {
            PosixQueue.unlink(theirs);
        }
    }

    static String mqCreate(String name) {
        return "/usr/bin/python3 -c 'import ctypes, os, sys; q = ctypes.CDLL(None, use_errno=True).mq_open(b\"" + name
                + "\", os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600, None); sys.exit(0 if q >= 0 else 1)'";
    }

    static String asNobody(String script) throws IOException, InterruptedException {
        assumeTrue(Users.isRoot(), "needs root to become a second user (setpriv)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) && Files.isExecutable(Path.of("/usr/bin/python3")),
                "needs /usr/bin/setpriv and /usr/bin/python3");
        Process p = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/bin/sh", "-c", script)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "setpriv did not finish");
        assumeTrue(!out.startsWith("setpriv:"), "setpriv refused here: " + out.trim());
        assertEquals(0, p.exitValue(), "as uid 65534: " + script + ": " + out);
        return out;
    }
}
