package org.ipclab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.Providers;
import org.ipclab.core.ServerEnd;
import org.ipclab.core.Users;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A FIFO or socket file under a user's {@code --path} is made in a staging directory beside its
 * final name; a crash in between leaves that directory in the user's directory, where the /tmp
 * sweep never looks. {@code ipc clean --path DIR} and the next bind or mkfifo in DIR remove the
 * caller's own stale ones — never another user's, a live run's, or anything not a staging name.
 */
class StagingSweepTest {
    private Path dir;
    private long deadPid;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("user-chosen");
        Process p = new ProcessBuilder("true").start();
        p.waitFor(10, TimeUnit.SECONDS);
        deadPid = p.pid(); // exited: what a crashed run's pid looks like
    }

    @AfterEach
    void tearDown() throws Exception {
        new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor(10, TimeUnit.SECONDS);
    }

    @Test
    void cleanWithPathRemovesOnlyOurStaleStagingDirectories() throws Exception {
        Path ours = staging("bind", "abc123");
        Path ourFifo = staging("mkfifo", "abc124");
        Path live = Files.createDirectory(dir.resolve("ipclab-" + ProcessHandle.current().pid() + "-bind-live01"));
        Path notStaging = Files.createDirectory(dir.resolve("ipclab-" + deadPid + "-results"));
        Path theirs = Users.isRoot() ? givenToNobody(staging("mkfifo", "their01")) : null;

        CliTest.Run r = CliTest.ipc("clean", "--path", dir.toString());
        assertEquals(0, r.exit(), r.all());
        assertFalse(Files.exists(ours, LinkOption.NOFOLLOW_LINKS), r.all());
        assertFalse(Files.exists(ourFifo, LinkOption.NOFOLLOW_LINKS), r.all());
        assertTrue(r.out().contains("removed directory " + ours), r.out());
        assertTrue(Files.exists(live), "a running creator's staging directory stays");
        assertTrue(Files.exists(notStaging), "in a user's directory only staging names are ours to sweep");
        if (theirs != null) {
            assertTrue(Files.exists(theirs.resolve("inside")), "another user's stays");
            assertTrue(r.out().contains("not yours, left alone") && r.out().contains(theirs.toString()), r.out());
        }
    }

    @Test
    void theNextBindOrMkfifoInTheDirectoryRemovesOurStaleOnes() throws Exception {
        Path ours = staging("bind", "abc125");
        Path theirs = Users.isRoot() ? givenToNobody(staging("bind", "their02")) : null;
        open("unix", Map.of("path", dir.resolve("s.sock").toString()));
        assertFalse(Files.exists(ours, LinkOption.NOFOLLOW_LINKS), "the bind's start-up sweep removed it");
        if (theirs != null) assertTrue(Files.exists(theirs.resolve("inside")), "another user's stays");

        Path oursAgain = staging("mkfifo", "abc126");
        Path fifos = Files.createDirectory(dir.resolve("fifos"));
        Path inFifos = Files.createDirectory(fifos.resolve("ipclab-" + deadPid + "-mkfifo-abc127"));
        open("fifo", Map.of("path", fifos.toString()));
        assertFalse(Files.exists(inFifos, LinkOption.NOFOLLOW_LINKS), "the mkfifo's start-up sweep removed it");
        assertTrue(Files.exists(oursAgain), "only the directory the FIFOs go in is swept");
    }

    @Test
    void cleanWithAPathThatIsNoDirectoryIsAUsageError() throws Exception {
        Path missing = dir.resolve("no-such-dir");
        CliTest.Run r = CliTest.ipc("clean", "--path", missing.toString());
        CliTest.assertUsageError(r, "--path", missing.toString(), "not a directory");
    }

    private void open(String mechanism, Map<String, String> options) throws IOException {
        ChannelSpec spec = ChannelSpec.of(mechanism, options);
        ChannelProvider provider = Providers.forSpec(spec);
        try (ServerEnd server = provider.open(spec)) {
            assertTrue(server.peerSpec() != null);
        }
    }

    /** A staging directory as a crash leaves it: named for a creator that is gone, something inside. */
    private Path staging(String tag, String rand) throws IOException {
        Path p = Files.createDirectory(dir.resolve("ipclab-" + deadPid + "-" + tag + "-" + rand));
        Files.writeString(p.resolve("inside"), "x");
        return p;
    }

    private static Path givenToNobody(Path p) throws Exception {
        Process chown = new ProcessBuilder("chown", "-R", "65534:65534", p.toString()).start();
        assertTrue(chown.waitFor(10, TimeUnit.SECONDS) && chown.exitValue() == 0, "chown failed");
        return p;
    }
}
