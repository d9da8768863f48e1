package org.ipclab.labs.lab11;

import java.io.IOException;
import java.util.List;

/**
 * Lab 11, task 3: the shell's {@code a | b | c}, plumbed from Java: every stage runs at once, stage k's stdout
 * IS stage k+1's stdin (one pipe, which this JVM does not read), the last stage's output comes back here.
 * {@code Plumbing seq 5 -- tr 1 X -- wc -l} prints what {@code seq 5 | tr 1 X | wc -l} prints.
 */
public final class Plumbing {
    private Plumbing() {
    }

    /** Runs the stages as one pipeline; returns the last stage's output once every stage has ended. */
    public static String run(List<List<String>> stages) throws IOException, InterruptedException {
        // TODO(lab11) task 3
        throw new UnsupportedOperationException("TODO(lab11): Plumbing.run");
    }

    /** The stages, separated by {@code --}; prints the pipeline's output. */
    public static void main(String[] args) throws Exception {
        // TODO(lab11) task 3: split args at "--", run, print (System.out.print: the output has its own newlines).
        throw new UnsupportedOperationException("TODO(lab11): Plumbing.main");
    }
}
