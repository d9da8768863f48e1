package org.ipclab.core;

import java.io.PrintStream;
import java.util.List;

/**
 * A narrated experiment for {@code ipc demo <name>}, found by {@link java.util.ServiceLoader}
 * (one line in {@code META-INF/services/org.ipclab.core.Demo}). It says what the kernel does, step
 * by step, shows the kernel's view ({@code /proc/<pid>/fd}, {@code /dev/shm}, ...), and removes
 * everything it created, also when it fails.
 */
public interface Demo {
    /** The name after {@code ipc demo}: usually the mechanism's name. */
    String name();

    /** One line for {@code ipc demo --list}. */
    String summary();

    /** Usage lines for {@code ipc demo <name> --help}: the options this demo takes. */
    default List<String> usage() {
        return List.of();
    }

    /**
     * Runs the demo, printing to {@code out}. Bad arguments throw {@link BadInputException}.
     *
     * @return the exit code: 0 when every step showed what it should
     */
    int run(List<String> args, PrintStream out) throws Exception;
}
