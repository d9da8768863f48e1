package org.ipclab.cli;

import static org.ipclab.cli.CliTest.ipc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.ipclab.cli.CliTest.Run;
import org.ipclab.core.Users;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code ipc clean} as a real process, run by root on a machine where another user left stale objects. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CleanSafetyTest {
    static final int NOBODY = 65534;

    @Test
    void rootLeavesAnotherUsersStaleObjectsAloneAndSaysSoUnlessAllUsers() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        long pid = gone.pid();
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Path theirs = tmp.resolve("ipclab-" + pid + "-hostile-" + System.nanoTime());
        Path victim = Files.createTempDirectory("clean-victim");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(victim.resolve("keep"), "precious");
        int key = 0x49 << 24 | (int) (pid << 2) | 3; // the System V key an ipclab run of that pid would use
        String msqid = "";
        try {
            asNobody("mkdir " + theirs + " && echo x > " + theirs + "/f && ln -s " + victim + " " + theirs + "/link");
            msqid = asNobody("/usr/bin/python3 -c 'import ctypes; print(ctypes.CDLL(None).msgget(" + key + ", 0o1000 | 0o2000 | 0o600))'").trim();
            assertTrue(Integer.parseInt(msqid) >= 0, "msgget as nobody: " + msqid);

            Run r = ipc("clean");
            assertEquals(0, r.exit(), "other users' leftovers alone never make clean fail: " + r.all());
            assertTrue(r.out().contains("not yours, left alone: directory " + theirs), r.out());
            assertTrue(r.out().contains("uid 65534"), "says whose: " + r.out());
            assertTrue(r.out().matches("(?s).*not yours, left alone: System V message queue msqid " + msqid + " .*uid 65534.*"), r.out());
            assertTrue(Files.exists(theirs.resolve("f")), "root without --all-users leaves it in place");

            Run dry = ipc("clean", "--all-users", "--dry-run");
            assertEquals(0, dry.exit(), dry.all());
            assertTrue(dry.out().contains("would remove directory " + theirs), dry.out());

            Run all = ipc("clean", "--all-users");
            assertEquals(0, all.exit(), all.all());
            assertTrue(all.out().matches("(?s).*removed directory " + java.util.regex.Pattern.quote(theirs.toString()) + ".*owned by uid 65534.*"), all.out());
            assertTrue(all.out().contains("removed System V message queue msqid " + msqid + " "), all.out());
            assertFalse(Files.exists(theirs, LinkOption.NOFOLLOW_LINKS));
            assertEquals("precious", Files.readString(victim.resolve("keep")), "the link inside was not followed");
        } finally {
            if (!msqid.isEmpty()) new ProcessBuilder("ipcrm", "-q", msqid).start().waitFor();
            new ProcessBuilder("rm", "-rf", theirs.toString(), victim.toString()).start().waitFor();
        }
    }

    @Test
    void aSecondUsersCleanLeavesRootsLeftoversAndRefusesAllUsers(@TempDir Path cpCopy) throws Exception {
        asNobody("true"); // skips here when there is no second user
        String ipc = SecondUser.ipc(cpCopy);

        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path ours = Files.createDirectory(Path.of(System.getProperty("java.io.tmpdir")).resolve("ipclab-" + gone.pid() + "-rootstale-" + System.nanoTime()));
        try {
            String out = asNobodyExit(ipc + " clean --all-users", 2);
            assertTrue(out.startsWith("ipc clean: error: --all-users needs root (you are uid 65534"), out);
            assertEquals(1, out.lines().count(), "one line: " + out);
            out = asNobodyExit(ipc + " clean", 0);
            assertTrue(out.contains("not yours, left alone: directory " + ours), out);
            assertTrue(out.contains("owned by uid 0"), out);
            assertFalse(out.contains("--all-users removes it"), "that hint is for root only: " + out);
            assertTrue(Files.isDirectory(ours), "root's leftover stays");
        } finally {
            Files.deleteIfExists(ours);
        }
    }

    static String asNobodyExit(String script, int expectedExit) throws IOException, InterruptedException {
        SecondUser.Run r = SecondUser.run(script);
        assertEquals(expectedExit, r.exit(), script + ": " + r.out());
        return r.out();
    }

    /** Runs a shell command as uid/gid 65534 and returns its output; skips (with the reason) where setpriv is refused. */
    static String asNobody(String script) throws IOException, InterruptedException {
        assumeTrue(Users.isRoot(), "needs root to become a second user (setpriv)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) && Files.isExecutable(Path.of("/usr/bin/python3")),
                "needs /usr/bin/setpriv and /usr/bin/python3");
        Process p = new ProcessBuilder("/usr/bin/setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "/bin/sh", "-c", script)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "setpriv did not finish");
        assumeTrue(!out.startsWith("setpriv:"), "setpriv refused here: " + out.trim());
        assertEquals(0, p.exitValue(), "as uid 65534: " + script + ": " + out);
        return out;
    }
}
