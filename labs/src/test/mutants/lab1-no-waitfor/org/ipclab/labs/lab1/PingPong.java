package org.ipclab.labs.lab1;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.ipclab.labs.Jvm;

/** Lab 1 MUTANT (wrong on purpose, see LabsSelfTest): closes the child's input but never waits for the child. */
public final class PingPong {
    private PingPong() {
    }

    public static String play(int rounds) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(Jvm.command(PingPongChild.class))
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        Process child = pb.start();
        String last = null;
        try (PrintStream toChild = new PrintStream(child.getOutputStream(), false, StandardCharsets.UTF_8);
             BufferedReader fromChild = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (int i = 1; i <= rounds; i++) {
                toChild.println("ping " + i);
                toChild.flush();
                last = fromChild.readLine();
                if (!("pong " + i).equals(last)) throw new IOException("round " + i + ": the child answered '" + last + "'");
            }
            toChild.close(); // end of input for the child
        }
        return last;
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        play(100); // warm-up: the first rounds include JIT compilation
        long t0 = System.nanoTime();
        play(1);   // what starting and stopping a child JVM costs ...
        long t1 = System.nanoTime();
        String last = play(rounds);
        long t2 = System.nanoTime();
        // ... subtracted, so that what remains is the round trips
        double us = ((t2 - t1) - (t1 - t0)) / 1e3 / (rounds - 1);
        System.out.printf("%d rounds, last answer '%s'; starting a child JVM: %d ms; one round trip: %.1f µs%n",
                rounds, last, (t1 - t0) / 1_000_000, us);
    }
}
