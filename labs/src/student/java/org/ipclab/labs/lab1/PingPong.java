package org.ipclab.labs.lab1;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.ipclab.labs.Jvm;

/**
 * Lab 1, task 2: the parent side of ping-pong. Two pipes make a conversation: the child's stdin
 * (parent writes, child reads) and the child's stdout (child writes, parent reads).
 *
 * <p>{@code ./ipc lab run 1 PingPong 10000} plays 10000 rounds and prints the time per round trip.
 */
public final class PingPong {
    private PingPong() {
    }

    /**
     * Starts {@link PingPongChild} in a second JVM, sends {@code ping 1} .. {@code ping rounds}, one at a time,
     * reads each answer before sending the next, then closes the child's input and waits for it to exit.
     *
     * @return the last answer, e.g. {@code "pong 1000"}
     */
    public static String play(int rounds) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(Jvm.command(PingPongChild.class))
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        // TODO(lab1) task 2: start the child; write to its stdin (process.getOutputStream()), read its stdout
        //   (process.getInputStream()) line by line. One round: send a line, then read the answer (that read is the
        //   wait: no sleep). Mind the buffer: getOutputStream() collects bytes in this process until flush().
        // TODO(lab1) task 4: end the child's input, and make sure the child has exited before you return.
        throw new UnsupportedOperationException("TODO(lab1): PingPong.play");
    }

    /** Fewer rounds than this drown in the noise of starting a JVM, which is subtracted. */
    static final int MIN_ROUNDS = 1000;

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        if (rounds < MIN_ROUNDS) {
            System.err.println("error: " + rounds + " rounds is too few to measure a round trip (at least " + MIN_ROUNDS
                    + "): each run also starts a JVM, whose cost varies by more than " + rounds + " round trips take");
            System.exit(2);
        }
        play(100); // warm-up: the first rounds include JIT compilation
        long t0 = System.nanoTime();
        play(1);   // what starting and stopping a child JVM costs ...
        long t1 = System.nanoTime();
        String last = play(rounds);
        long t2 = System.nanoTime();
        // ... subtracted, so that what remains is the round trips
        double us = ((t2 - t1) - (t1 - t0)) / 1e3 / (rounds - 1);
        System.out.printf("%d rounds, last answer '%s'; starting a child JVM: %d ms; ", rounds, last, (t1 - t0) / 1_000_000);
        if (us <= 0) {
            System.out.printf("one round trip: not measurable (the JVM's start varied more than %d rounds took; try more rounds)%n", rounds);
        } else {
            System.out.printf("one round trip: %.1f µs%n", us);
        }
    }
}
