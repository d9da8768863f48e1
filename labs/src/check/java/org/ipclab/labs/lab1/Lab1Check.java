package org.ipclab.labs.lab1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.ipclab.labs.Checks;
import org.ipclab.labs.Jvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Lab 1 check. Tasks and hints: {@link org.ipclab.labs.LabCatalog}. */
class Lab1Check {

    @AfterEach
    void stopChildren() {
        Checks.stopChildren();
    }

    @Test
    @Timeout(15)
    void task1_childAnswersPings() throws Exception {
        Process child = new ProcessBuilder(Jvm.command("org.ipclab.labs.lab1.PingPongChild")).start();
        try (PrintStream to = new PrintStream(child.getOutputStream(), false, StandardCharsets.UTF_8);
             BufferedReader from = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            // One line at a time: the answer must come while the input is still open (flush per line).
            // Random numbers each run: an answer printed from memory does not pass.
            java.util.Random random = new java.util.Random();
            for (int i : new int[] {1, 2 + random.nextInt(1000), 1000 + random.nextInt(1_000_000)}) {
                to.println("ping " + i);
                to.flush();
                String answer = from.readLine();
                if (answer == null) {
                    child.waitFor(5, TimeUnit.SECONDS);
                    String err = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                    String todo = err.lines().filter(l -> l.contains("TODO(")).findFirst().orElse(null);
                    if (todo != null) throw new UnsupportedOperationException(todo.substring(todo.indexOf("TODO(")));
                    throw new AssertionError("the child closed its stdout without answering 'ping " + i + "'; its stderr: "
                            + err.lines().findFirst().orElse("(empty)"));
                }
                assertEquals("pong " + i, answer, "answer to 'ping " + i + "'");
            }
            to.close();
            assertTrue(child.waitFor(5, TimeUnit.SECONDS), "the child did not exit within 5 s after its input ended");
            assertEquals(0, child.exitValue(), "the child's exit code");
        }
    }

    @Test
    @Timeout(10) // 2000 round trips take well under a second; a 5 ms sleep per round takes 10 s
    void task2_parentPlays2000Rounds() throws Exception {
        int rounds = 1500 + new java.util.Random().nextInt(1000);
        assertEquals("pong " + rounds, PingPong.play(rounds), "the last answer of " + rounds + " rounds");
    }

    @Test
    @Timeout(10) // 'yes' never ends: only a pipeline whose processes run concurrently finishes
    void task3_pipelineStreams() throws Exception {
        assertEquals("y\ny\ny\n", Pipeline.run(List.of(List.of("yes"), List.of("head", "-n", "3"))), "yes | head -n 3");
        int n = 10_000 + new java.util.Random().nextInt(20_000);
        long sevens = IntStream.rangeClosed(1, n).filter(i -> String.valueOf(i).contains("7")).count();
        assertEquals(String.valueOf(sevens), Pipeline.run(List.of(List.of("seq", "1", String.valueOf(n)), List.of("grep", "7"), List.of("wc", "-l"))).strip(),
                "seq 1 " + n + " | grep 7 | wc -l");
    }

    @Test
    @Timeout(15)
    void task4_nothingLeftBehind() throws Exception {
        // Every child the student's code starts with Jvm.command now takes 700 ms to end after its input ends:
        // play() must have waited for it (waitFor) when it returns, so the check looks at once, with no grace.
        System.setProperty(Jvm.LINGER, "700");
        try {
            PingPong.play(3);
        } finally {
            System.clearProperty(Jvm.LINGER);
        }
        Checks.assertNoChildProcesses(Duration.ZERO, "PingPong.play");
        Pipeline.run(List.of(List.of("yes"), List.of("head", "-n", "1")));
        Checks.assertNoChildProcesses(Duration.ofMillis(200), "Pipeline.run");
    }
}
