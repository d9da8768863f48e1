package org.ipclab.labs;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.Names;
import org.ipclab.core.Users;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lab checker's clean-up against a tree someone tampered with: a symbolic link inside it to a
 * directory that must survive, and a tree that belongs to another user.
 */
class ChecksDeletionTest {
    private Path victim;
    private Path tree;

    @BeforeEach
    void setUp() throws IOException {
        victim = Files.createDirectories(Path.of("/tmp", Names.unique("victim")));
        Files.writeString(victim.resolve("precious"), "keep me");
        tree = Files.createDirectories(Path.of("/tmp", Names.unique("labtree")));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Path p : new Path[] {tree, victim}) {
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) continue;
            new ProcessBuilder("rm", "-rf", p.toString()).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aLinkInsideTheTreeIsRemovedNeverFollowed() throws IOException {
        Path sub = Files.createDirectories(tree.resolve("a/b"));
        Files.writeString(sub.resolve("out.class"), "x");
        Files.createSymbolicLink(sub.resolve("link-to-victim"), victim);
        Files.createSymbolicLink(tree.resolve("a/dirlink"), victim);
        Checks.deleteRecursively(tree);
        assertFalse(Files.exists(tree, LinkOption.NOFOLLOW_LINKS), "the tree is gone");
        assertTrue(Files.exists(victim.resolve("precious")), "what the links pointed to is untouched");
    }

    @Test
    void aTreeOfAnotherUserIsLeftAloneAndSaysWhose() throws Exception {
        assumeTrue(Users.isRoot(), "needs root to give a tree to a second user (chown)");
        Files.writeString(tree.resolve("theirs"), "x");
        Process chown = new ProcessBuilder("chown", "-R", "65534:65534", tree.toString()).start();
        assertTrue(chown.waitFor(10, TimeUnit.SECONDS) && chown.exitValue() == 0, "chown failed");
        IOException e = assertThrows(IOException.class, () -> Checks.deleteRecursively(tree));
        assertTrue(e.getMessage().contains("left alone"), e.getMessage());
        assertTrue(Files.exists(tree.resolve("theirs")), "another user's tree stays");
    }

    @Test
    void aPathThatIsGoneIsNothingToDo() throws IOException {
        Checks.deleteRecursively(tree.resolve("never-made"));
        Checks.deleteRecursively(tree.resolve("no/such/parent"));
        assertTrue(Files.isDirectory(tree), "nothing else was touched");
    }
}
