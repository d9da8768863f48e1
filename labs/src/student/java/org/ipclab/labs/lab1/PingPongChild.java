package org.ipclab.labs.lab1;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Lab 1, task 1: the child side of ping-pong. Started by {@link PingPong} with ProcessBuilder, so its
 * System.in is the read end of one pipe and its System.out the write end of another.
 *
 * <p>For every line {@code ping N} on System.in, print {@code pong N} on System.out. When System.in
 * ends (the parent closed its end of the pipe: readLine() returns null), return.
 * Try it by hand: {@code ./ipc lab run 1 PingPongChild}, type {@code ping 1}, Enter; Ctrl-D ends the input.
 */
public final class PingPongChild {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = System.out;
        // TODO(lab1) task 1: read lines until end of input; answer each "ping N" with "pong N".
        //   (System.out flushes on every println by itself; a PrintWriter or BufferedWriter you wrap around it does not.)
        throw new UnsupportedOperationException("TODO(lab1): PingPongChild.main");
    }
}
