package org.ipclab.labs.lab1;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Lab 1 reference solution, task 1. */
public final class PingPongChild {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = System.out;
        for (String line; (line = in.readLine()) != null; ) {
            if (!line.startsWith("ping ")) {
                System.err.println("child: unexpected line '" + line + "'");
                System.exit(1);
            }
            out.println("pong " + line.substring(5));
            out.flush();
        }
    }
}
