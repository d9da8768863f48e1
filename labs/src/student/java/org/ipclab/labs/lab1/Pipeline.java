package org.ipclab.labs.lab1;

import java.io.IOException;
import java.util.List;

/**
 * Lab 1, task 3: what the shell does for {@code A | B | C}. Each command is a process; the stdout of
 * one is connected to the stdin of the next by an anonymous pipe. All of them run at the same time:
 * B reads what A writes while A is still writing.
 *
 * <p>{@code ./ipc lab run 1 Pipeline} runs {@code seq 1 100000 | grep 7 | wc -l}.
 */
public final class Pipeline {
    private Pipeline() {
    }

    /**
     * Runs the commands connected like a shell pipeline and returns everything the last one printed.
     * Every process has ended when this returns.
     */
    public static String run(List<List<String>> commands) throws IOException, InterruptedException {
        // TODO(lab1) task 3: start all the commands at once, each one's stdout piped into the next one's stdin
        //   (the JDK has a call for exactly that), and read what the last one prints.
        // TODO(lab1) task 4: when you have read it all, wait for every process.
        throw new UnsupportedOperationException("TODO(lab1): Pipeline.run");
    }

    public static void main(String[] args) throws Exception {
        System.out.print(run(List.of(List.of("seq", "1", "100000"), List.of("grep", "7"), List.of("wc", "-l"))));
    }
}
