package org.ipclab.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ipc clean}'s file sweeper against a hostile second user: stale entries of theirs, symbolic
 * links planted in a stale directory, a subdirectory swapped for a link between the listing and the
 * removal. The victim is always a directory of files that must survive.
 */
class SweepSafetyTest {
    static final int NOBODY = 65534;

    Path root;   // stands in for /tmp: sticky and world-writable
    Path victim; // files that must survive every sweep

    @BeforeEach
    void dirs() throws IOException {
        root = Files.createTempDirectory("sweep-root");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxrwxrwx"));
        chmodSticky(root);
        victim = Files.createTempDirectory("sweep-victim");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String n : List.of("a", "b", "keep")) Files.writeString(victim.resolve(n), "precious " + n);
    }

    @AfterEach
    void cleanup() throws IOException {
        OwnedFiles.afterListing = p -> { };
        OwnedFiles.beforeEntering = p -> { };
        for (Path d : List.of(root, victim)) {
            try (Stream<Path> w = Files.walk(d)) {
                w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    void assertVictimIntact() throws IOException {
        for (String n : List.of("a", "b", "keep")) {
            assertEquals("precious " + n, Files.readString(victim.resolve(n)), "victim file " + n + " must survive the sweep");
        }
    }

    static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    Path staleDirectory(long pid) throws IOException {
        Path stale = Files.createDirectory(root.resolve("ipclab-" + pid + "-test-" + System.nanoTime()));
        Path d = Files.createDirectory(stale.resolve("d"));
        Files.writeString(d.resolve("a"), "x");
        Files.writeString(d.resolve("b"), "x");
        return stale;
    }

    @Test
    void linksPlantedInAStaleDirectoryAreRemovedNotFollowed() throws Exception {
        Path stale = staleDirectory(deadPid());
        Files.createSymbolicLink(stale.resolve("to-victim"), victim);
        Files.createSymbolicLink(stale.resolve("d").resolve("keep"), victim.resolve("keep"));
        List<Leftover> found = new FileSweeper(List.of(root)).find(false);
        assertEquals(1, found.size(), found.toString());
        assertTrue(found.get(0).ours());
        found.get(0).remove();
        assertFalse(Files.exists(stale, LinkOption.NOFOLLOW_LINKS), "the stale directory is gone");
        assertVictimIntact();
    }

    @Test
    void aSubdirectorySwappedForALinkAfterTheListingLeadsNowhere() throws Exception {
        Path stale = staleDirectory(deadPid());
        Leftover l = new FileSweeper(List.of(root)).find(false).get(0);
        // The race, made deterministic: right after the stale directory was listed, "d" becomes a link to the victim.
        OwnedFiles.afterListing = swapOnce(stale, () -> {
            Files.move(stale.resolve("d"), root.resolve("moved-away"));
            Files.createSymbolicLink(stale.resolve("d"), victim);
        });
        l.remove();
        assertVictimIntact();
        assertFalse(Files.exists(stale, LinkOption.NOFOLLOW_LINKS), "the link was removed as a link");
    }

    @Test
    void aSubdirectorySwappedWhileItsEntriesAreRemovedLeadsNowhere() throws Exception {
        Path stale = staleDirectory(deadPid());
        Leftover l = new FileSweeper(List.of(root)).find(false).get(0);
        // After "d" was opened and listed: "d" moves away and a link to the victim takes its name.
        OwnedFiles.afterListing = swapOnce(stale.resolve("d"), () -> {
            Files.move(stale.resolve("d"), root.resolve("moved-away"));
            Files.createSymbolicLink(stale.resolve("d"), victim);
        });
        assertThrows(IOException.class, l::remove, "rmdir of what is now a link fails");
        assertVictimIntact();
        assertTrue(Files.isSymbolicLink(stale.resolve("d")), "the link itself is left, never followed");
        assertEquals(List.of(), List.of(root.resolve("moved-away").toFile().list()), "the real d was emptied through its descriptor");
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void aSubdirectorySwappedForAFifoDoesNotHangTheSweep() throws Exception {
        Path stale = staleDirectory(deadPid());
        Leftover l = new FileSweeper(List.of(root)).find(false).get(0);
        // An open(O_RDONLY) of a FIFO waits for a writer: entering "d" must refuse a FIFO, not wait on it.
        OwnedFiles.beforeEntering = swapOnce(stale.resolve("d"), () -> {
            Files.move(stale.resolve("d"), root.resolve("moved-away"));
            Process p = new ProcessBuilder("mkfifo", stale.resolve("d").toString()).start();
            assertEquals(0, p.waitFor());
        });
        l.remove();
        assertFalse(Files.exists(stale, LinkOption.NOFOLLOW_LINKS), "the FIFO was removed as a FIFO, then the directory");
    }

    @Test
    void theHostileUserSwapsTheSubdirectoryDuringRootsSweepOfTheirOwnLeftover() throws Exception {
        long pid = deadPid();
        Path stale = root.resolve("ipclab-" + pid + "-hostile-" + System.nanoTime());
        asNobody("mkdir -p " + stale + "/d && echo x > " + stale + "/d/a && echo x > " + stale + "/d/b");
        Leftover l = new FileSweeper(List.of(root)).find(false).stream().filter(x -> x.describe().contains(stale.toString()))
                .findFirst().orElseThrow();
        assertEquals(NOBODY, l.ownerUid());
        assertFalse(Sweeper.removable(l, false), "root without --all-users leaves another user's leftover alone");
        OwnedFiles.afterListing = swapOnce(stale, () -> asNobody("mv " + stale + "/d " + stale + "/d2 && ln -s " + victim + " " + stale + "/d"));
        assertTrue(Sweeper.removable(l, true));
        try {
            l.remove(); // as root, as with --all-users
        } catch (IOException partly) {
            // d2 appeared after the listing: the directory is not empty; what matters is below
        }
        assertVictimIntact();
        assertFalse(Files.exists(stale.resolve("d"), LinkOption.NOFOLLOW_LINKS), "the planted link was removed as a link");
    }

    @Test
    void anotherUsersEntryIsRefusedByRemoveTree() throws Exception {
        Path stale = root.resolve("ipclab-" + deadPid() + "-hostile-" + System.nanoTime());
        asNobody("mkdir " + stale + " && ln -s " + victim + " " + stale + "/x");
        IOException e = assertThrows(IOException.class, () -> OwnedFiles.removeTree(stale, Users.uid()));
        assertTrue(e.getMessage().contains("uid 65534") && e.getMessage().contains("left alone"), e.getMessage());
        assertTrue(Files.isSymbolicLink(stale.resolve("x")), "nothing of theirs removed");
        assertVictimIntact();
    }

    @Test
    void removeFileIfOwnedKeepsAFileThatIsNoLongerOurs() throws Exception {
        Path f = root.resolve("ipclab-sock");
        asNobody("touch " + f);
        OwnedFiles.removeFileIfOwned(f, Users.uid());
        assertTrue(Files.exists(f), "another user's file under our old name stays");
        Files.createSymbolicLink(root.resolve("link"), victim.resolve("keep"));
        OwnedFiles.removeFileIfOwned(root.resolve("link"), Users.uid());
        assertFalse(Files.exists(root.resolve("link"), LinkOption.NOFOLLOW_LINKS), "our link goes, as a link");
        assertVictimIntact();
    }

    interface Swap {
        void run() throws Exception;
    }

    static Consumer<Path> swapOnce(Path when, Swap swap) {
        boolean[] done = {false};
        return listed -> {
            if (done[0] || !listed.equals(when)) return;
            done[0] = true;
            try {
                swap.run();
            } catch (Exception e) {
                throw new AssertionError("the swap failed", e);
            }
        };
    }

    /**
     * After a killed process of ours, only our own entries named for its pid go: a second user's entry
     * with the same pid in its name, and our entries of another pid, stay.
     */
    @Test
    void removingADeadProcesssLeftoversTakesOnlyOursOfThatPid() throws Exception {
        long dead = deadPid();
        Path ours = staleDirectory(dead);
        Path otherPid = staleDirectory(deadPid());
        Path theirs = root.resolve("ipclab-" + dead + "-test-theirs");
        asNobody("mkdir " + theirs + " && echo x > " + theirs + "/f");
        new FileSweeper(List.of(root)).removeOwnOf(dead);
        assertFalse(Files.exists(ours, LinkOption.NOFOLLOW_LINKS), "our leftover of the dead pid is removed");
        assertTrue(Files.exists(otherPid), "another pid's leftover is not this sweep's");
        assertEquals("x\n", Files.readString(theirs.resolve("f")), "the second user's entry stays");
    }

    /** Runs a shell command as uid/gid 65534; skips the test (with the reason) where setpriv is refused. */
    static void asNobody(String script) throws IOException, InterruptedException {
        assumeTrue(Users.isRoot(), "needs root to become a second user (setpriv)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs /usr/bin/setpriv (util-linux)");
        Process p = new ProcessBuilder("/usr/bin/setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "/bin/sh", "-c", script)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "setpriv did not finish");
        assumeTrue(!out.startsWith("setpriv:"), "setpriv refused here: " + out.trim());
        assertEquals(0, p.exitValue(), "as uid 65534: " + script + ": " + out);
    }

    static void chmodSticky(Path dir) throws IOException {
        try {
            Process p = new ProcessBuilder("chmod", "1777", dir.toString()).start();
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
