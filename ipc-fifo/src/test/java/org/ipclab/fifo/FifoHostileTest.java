package org.ipclab.fifo;

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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.ipclab.core.BadInputException;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.ServerEnd;
import org.ipclab.core.Users;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** FIFOs under a --path directory that a second user (uid 65534) can write too. */
class FifoHostileTest {
    Path shared;
    Path victim;

    @BeforeEach
    void dirs() throws Exception {
        shared = Files.createTempDirectory("fifo-shared");
        new ProcessBuilder("chmod", "1777", shared.toString()).start().waitFor();
        victim = Files.createTempFile("fifo-victim", "");
        Files.writeString(victim, "precious");
    }

    @AfterEach
    void cleanup() throws Exception {
        new ProcessBuilder("rm", "-rf", shared.toString(), victim.toString()).start().waitFor();
    }

    @Test
    void fifosInASharedDirectoryAreBorn0600AndNoStagingDirectoryStays() throws IOException {
        try (ServerEnd end = new FifoProvider().open(ChannelSpec.of("fifo").with("path", shared.toString()))) {
            for (String n : List.of(FifoProvider.TO_SERVER, FifoProvider.TO_CLIENT)) {
                Path f = shared.resolve(n);
                assertTrue(FifoFiles.isFifo(f), n);
                assertEquals(0600, FifoFiles.mode(f) & 07777, n + " mode");
                assertEquals(Users.uid(), Users.ownerOf(f));
            }
            try (Stream<Path> s = Files.list(shared)) {
                assertEquals(List.of(), s.filter(p -> p.getFileName().toString().contains("-mkfifo-")).toList(), "staging directory removed");
            }
        }
        try (Stream<Path> s = Files.list(shared)) {
            assertEquals(0, s.count(), "close removed both FIFOs");
        }
    }

    @Test
    void aFifoAnotherUserPreCreatedIsRefusedAndKept() throws Exception {
        Path theirs = shared.resolve(FifoProvider.TO_SERVER);
        asNobody("mkfifo -m 666 " + theirs);
        BadInputException e = assertThrows(BadInputException.class,
                () -> new FifoProvider().open(ChannelSpec.of("fifo").with("path", shared.toString())));
        assertTrue(e.getMessage().contains("owned by uid 65534"), e.getMessage());
        assertTrue(FifoFiles.isFifo(theirs) && Users.ownerOf(theirs) == 65534, "their FIFO stays as it was");
        assertEquals(0666, FifoFiles.mode(theirs) & 07777, "and is not chmod'ed");
        try (Stream<Path> s = Files.list(shared)) {
            assertEquals(List.of(theirs), s.toList(), "nothing of ours left behind");
        }
    }

    @Test
    void aLinkAnotherUserPlantedUnderOurNameIsRefusedAndItsTargetUntouched() throws Exception {
        Path planted = shared.resolve(FifoProvider.TO_CLIENT);
        asNobody("ln -s " + victim + " " + planted);
        int before = FifoFiles.mode(victim);
        BadInputException e = assertThrows(BadInputException.class,
                () -> new FifoProvider().open(ChannelSpec.of("fifo").with("path", shared.toString())));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        assertEquals(before, FifoFiles.mode(victim), "the link's target keeps its mode");
        assertEquals("precious", Files.readString(victim));
        assertTrue(Files.isSymbolicLink(planted));
        assertFalse(Files.exists(shared.resolve(FifoProvider.TO_SERVER), LinkOption.NOFOLLOW_LINKS), "the FIFO made first was removed again");
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
