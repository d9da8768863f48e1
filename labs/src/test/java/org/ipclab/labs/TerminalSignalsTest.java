package org.ipclab.labs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.ipclab.core.Names;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What lab 6 says about Ctrl-C and Ctrl-Z, from a real terminal: an interactive bash in a tmux pane runs
 * {@code sleep 300 | cat}; the keys make the terminal driver send SIGTSTP and SIGINT to the FOREGROUND PROCESS
 * GROUP (termios(3): ISIG), that is to both processes of the pipeline, not to the shell. Seen from /proc: the
 * group ids, the terminal's foreground group, the stopped state, then both gone.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TerminalSignalsTest {
    private final String server = Names.unique("tty");

    @AfterEach
    void killServer() throws Exception {
        tmux("kill-server");
        // kill-server can leave its socket file behind: remove ours (nothing named ipclab may stay in /tmp).
        Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        Files.deleteIfExists(Path.of(System.getenv().getOrDefault("TMUX_TMPDIR", "/tmp"), "tmux-" + uid, server));
    }

    private static boolean hasTmux() {
        try {
            Process p = new ProcessBuilder("tmux", "-V").redirectErrorStream(true).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
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

    /** Fields of /proc/PID/stat after the command name: [0] state, [1] ppid, [2] pgrp, [3] session, [4] tty, [5] tpgid. */
    private static String[] stat(long pid) {
        try {
            String s = String.join(" ", Files.readAllLines(Path.of("/proc", Long.toString(pid), "stat")));
            return s.substring(s.lastIndexOf(')') + 2).split(" ");
        } catch (IOException e) {
            return null; // gone
        }
    }

    private static boolean await(BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) return true;
            Thread.sleep(50);
        }
        return condition.getAsBoolean();
    }

    @Test
    void ctrlZAndCtrlCReachTheWholeForegroundGroup() throws Exception {
        assumeTrue(hasTmux(), "tmux is not installed: the terminal's signals are not tested");
        tmux("new-session", "-d", "-x", "120", "-y", "30", "env", "-i", "HOME=/", "TERM=xterm", "PATH=/usr/bin:/bin", "PS1=$ ",
                "bash", "--norc", "--noprofile", "-i");
        long shell = Long.parseLong(tmux("display-message", "-p", "#{pane_pid}").strip());
        tmux("send-keys", "sleep 300 | cat", "Enter");
        List<ProcessHandle> stages = new ArrayList<>();
        assertTrue(await(() -> {
            stages.clear();
            ProcessHandle.of(shell).ifPresent(h -> h.children().forEach(stages::add));
            return stages.size() == 2;
        }), "the shell should run the two stages: " + stages);
        String[] sh = stat(shell);
        for (ProcessHandle p : stages) {
            String[] st = stat(p.pid());
            assertEquals(stat(stages.get(0).pid())[2], st[2], "one pipeline, one process group");
            assertEquals(st[2], st[5], "the pipeline's group is the terminal's foreground group (tpgid)");
            assertNotEquals(sh[2], st[2], "the interactive shell puts the job in a group of its own");
        }

        tmux("send-keys", "C-z", "");
        assertTrue(await(() -> stages.stream().allMatch(p -> "T".equals(stat(p.pid()) == null ? null : stat(p.pid())[0]))),
                "Ctrl-Z (SIGTSTP to the foreground group) should stop both stages");
        assertTrue(await(() -> tmux0("capture-pane", "-p").contains("Stopped")), "bash reports the stopped job");
        assertEquals(sh[2], stat(shell)[5], "with the job stopped, the shell's own group has the terminal again");

        tmux("send-keys", "fg", "Enter");
        assertTrue(await(() -> stages.stream().noneMatch(p -> "T".equals(stat(p.pid()) == null ? null : stat(p.pid())[0]))),
                "fg continues both (SIGCONT)");
        tmux("send-keys", "C-c", "");
        assertTrue(await(() -> stages.stream().noneMatch(ProcessHandle::isAlive)), "Ctrl-C (SIGINT to the foreground group) ends both");
        assertTrue(ProcessHandle.of(shell).map(ProcessHandle::isAlive).orElse(false), "the shell itself is not in that group: it lives");
        tmux("send-keys", "echo status=$?", "Enter");
        // bash's encoding of "killed by signal 2" (the last stage's status): 128 + 2.
        assertTrue(await(() -> tmux0("capture-pane", "-p").contains("status=130")), tmux("capture-pane", "-p"));
    }

    private String tmux0(String... args) {
        try {
            return tmux(args);
        } catch (Exception e) {
            return "";
        }
    }
}
