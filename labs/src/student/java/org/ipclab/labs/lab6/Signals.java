package org.ipclab.labs.lab6;

import java.io.IOException;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/** Lab 6, tasks 2-4: sending signals, the uncatchable pair, and what the kernel says about a process. */
public final class Signals {
    private Signals() {
    }

    /**
     * Task 2: sends the signal {@code name} ("USR1", "HUP", "TERM", "STOP", "CONT", "KILL") to {@code pid}
     * with the {@code kill} command (Java itself can only send TERM and KILL, via Process.destroy).
     *
     * @throws IllegalArgumentException for pid 1 (init), 0 (your own process group), -1 (every process you may
     *                                  signal: everything you own!), another negative pid (a process group, kill(2))
     *                                  and for a name that is not letters/digits
     * @throws IOException when kill fails (no such process: its message)
     */
    public static void send(long pid, String name) throws IOException, InterruptedException {
        // TODO(lab6) task 2: check the arguments first, then run kill(1) and look at its exit status.
        throw new UnsupportedOperationException("TODO(lab6): Signals.send");
    }

    /**
     * Task 3: can this JVM install a handler for {@code name}? Try Signal.handle(new Signal(name), handler):
     * it throws IllegalArgumentException for the signals nobody may catch (KILL, STOP) and for those the
     * JVM keeps for itself. Put the previous handler back afterwards (Signal.handle returns it).
     */
    public static boolean canCatch(String name) {
        // TODO(lab6) task 3
        throw new UnsupportedOperationException("TODO(lab6): Signals.canCatch");
    }

    /**
     * Task 4: the process state the kernel reports in /proc/PID/stat, the field after the command name in
     * parentheses: 'R' running, 'S' sleeping, 'T' stopped, 'Z' zombie. The name may contain spaces and ')':
     * look after the LAST ')'.
     */
    public static char state(long pid) throws IOException {
        // TODO(lab6) task 4: read /proc/PID/stat (proc(5)); mind a command name with spaces or ')' in it.
        throw new UnsupportedOperationException("TODO(lab6): Signals.state");
    }

    /**
     * Task 5: starts {@code sleep 60} with the signal {@code name} IGNORED. The kernel discards an ignored
     * signal (SIG_IGN) on arrival, and that setting, unlike a handler, survives execve(2). The shell's
     * {@code trap '' NAME} sets it.
     */
    public static Process startIgnoring(String name) throws IOException {
        // TODO(lab6) task 5
        throw new UnsupportedOperationException("TODO(lab6): Signals.startIgnoring");
    }

    /**
     * Task 5: what the KERNEL answers when this process asks to ignore {@code name}: 0 when it agreed (the old
     * action is back afterwards), else the errno. Use the given {@link org.ipclab.labs.support.Sigaction}.
     */
    public static int kernelIgnore(String name) {
        // TODO(lab6) task 5
        throw new UnsupportedOperationException("TODO(lab6): Signals.kernelIgnore");
    }
}
