package org.ipclab.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.NativeException;
import org.ipclab.core.Names;
import org.ipclab.core.Users;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Segment files in a directory a second user (uid 65534) can write too. */
class ShmHostileTest {
    Path shared;
    Path victim;

    @BeforeEach
    void dirs() throws Exception {
        shared = Files.createTempDirectory(Path.of("/dev/shm"), "shm-shared");
        new ProcessBuilder("chmod", "1777", shared.toString()).start().waitFor();
        victim = Files.createTempFile("shm-victim", "");
        Files.writeString(victim, "precious");
    }

    @AfterEach
    void cleanup() throws Exception {
        new ProcessBuilder("rm", "-rf", shared.toString(), victim.toString()).start().waitFor();
    }

    @Test
    void theSegmentIsBorn0600AndOurs() throws IOException {
        Path path = shared.resolve(Names.unique("shm"));
        ShmSegment s = ShmSegment.create(path, 1024, WaitStrategy.PARK);
        try {
            assertEquals(0100600, (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS));
            assertEquals(Users.uid(), Users.ownerOf(path));
            assertEquals(ProcessHandle.current().pid(), s.creatorPid(), "the header went into the file we created");
        } finally {
            Files.deleteIfExists(path);
        }
    }

    @Test
    void aNameAnotherUserTookFirstIsRefusedAndKept() throws Exception {
        Path file = shared.resolve(Names.unique("shm"));
        Path link = shared.resolve(Names.unique("shm"));
        asNobody("echo theirs > " + file + " && ln -s " + victim + " " + link);
        for (Path p : new Path[] {file, link}) {
            NativeException e = assertThrows(NativeException.class, () -> ShmSegment.create(p, 1024, WaitStrategy.PARK));
            assertTrue(e.getMessage().contains("EEXIST") || e.getMessage().contains("exists"), e.getMessage());
        }
        assertEquals("theirs\n", Files.readString(file), "their file is neither removed nor written");
        assertTrue(Files.isSymbolicLink(link), "their link stays");
        assertEquals("precious", Files.readString(victim), "the link was not followed");
    }

    static void asNobody(String script) throws IOException, InterruptedException {
        assumeTrue(Users.isRoot(), "needs root to become a second user (setpriv)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs /usr/bin/setpriv (util-linux)");
        Process p = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/bin/sh", "-c", script)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "setpriv did not finish");
        assumeTrue(!out.startsWith("setpriv:"), "setpriv refused here: " + out.trim());
        assertEquals(0, p.exitValue(), "as uid 65534: " + script + ": " + out);
    }
}
