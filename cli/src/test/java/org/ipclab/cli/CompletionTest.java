package org.ipclab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.Names;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Tab completion as a user gets it: an interactive bash in a tmux pane, keys sent, the screen read. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CompletionTest {
    private final String server = Names.unique("completion");

    @AfterEach
    void killServer() throws Exception {
        tmux("kill-server");
        // kill-server can leave its socket file behind: remove ours, as every ipclab object is removed.
        Object uid = java.nio.file.Files.getAttribute(java.nio.file.Path.of("/proc/self"), "unix:uid");
        String base = System.getenv().getOrDefault("TMUX_TMPDIR", "/tmp");
        java.nio.file.Files.deleteIfExists(java.nio.file.Path.of(base, "tmux-" + uid, server));
    }

    private static boolean hasTmux() {
        try {
            return new ProcessBuilder("tmux", "-V").redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            return false;
        }
    }

    private String tmux(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", server));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out;
    }

    /** Waits until the pane shows {@code text} (completion output appears asynchronously). */
    private String awaitScreen(String text) throws Exception {
        Instant end = Instant.now().plus(Duration.ofSeconds(20));
        String screen = "";
        while (Instant.now().isBefore(end)) {
            screen = tmux("capture-pane", "-p");
            if (screen.contains(text)) return screen;
            Thread.sleep(100);
        }
        return screen;
    }

    @Test
    void bashCompletesSubcommandsAndMechanismNamesFromTheProviders(@TempDir Path dir) throws Exception {
        assumeTrue(hasTmux(), "tmux is not installed");
        Path script = dir.resolve("ipc.bash");
        Files.writeString(script, Completion.script("bash"));
        tmux("new-session", "-d", "-x", "200", "-y", "50", "env", "-i", "HOME=" + dir, "HISTFILE=", "TERM=xterm", "PATH=/usr/bin:/bin",
                "PS1=$ ", "bash", "--norc", "--noprofile", "-i");
        tmux("send-keys", "source " + script + " && echo loaded", "Enter");
        assertTrue(awaitScreen("loaded").contains("loaded"));
        tmux("send-keys", "ipc ben", "Tab");
        assertTrue(awaitScreen("ipc bench").contains("ipc bench"), "subcommand completed: " + tmux("capture-pane", "-p"));
        tmux("send-keys", "--", "-m unix-s", "Tab"); // the completed subcommand ends in a space
        String screen = awaitScreen("unix-seqpacket");
        assertTrue(screen.contains("ipc bench -m unix-seqpacket"), "mechanism completed: " + screen);
        tmux("send-keys", "C-u", "");
        tmux("send-keys", "ipc bench --mechanism u", "Tab", "Tab");
        screen = awaitScreen("unix-dgram");
        assertTrue(screen.contains("udp") && screen.contains("unix-dgram"), "the u… mechanisms listed: " + screen);
    }

    @Test
    void fishIsRefusedInOneLine() throws Exception {
        CliTest.Run r = Ipc.run(Map.of(), "completion", "fish");
        CliTest.assertUsageError(r, "fish", "bash", "zsh");
        CliTest.Run zsh = Ipc.run(Map.of(), "completion", "zsh");
        assertEquals(0, zsh.exit(), zsh.all());
        assertTrue(zsh.out().startsWith("#compdef ipc") && zsh.out().contains("bashcompinit"), zsh.out());
    }
}
