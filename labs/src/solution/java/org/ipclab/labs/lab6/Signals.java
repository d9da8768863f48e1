package org.ipclab.labs.lab6;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/** Lab 6 reference solution, tasks 2-4. */
public final class Signals {
    private Signals() {
    }

    public static void send(long pid, String name) throws IOException, InterruptedException {
        if (pid <= 1) throw new IllegalArgumentException("refusing to signal pid " + pid + " (1 is init; 0 and negative pids are process groups)");
        if (!name.matches("[A-Z0-9]+")) throw new IllegalArgumentException("not a signal name: " + name);
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).redirectErrorStream(true).start();
        String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (kill.waitFor() != 0) throw new IOException("kill -" + name + " " + pid + " failed: " + out);
    }

    public static boolean canCatch(String name) {
        Signal sig = new Signal(name);
        SignalHandler previous;
        try {
            previous = Signal.handle(sig, s -> { });
        } catch (IllegalArgumentException e) {
            return false; // "Signal already used by VM or OS"
        }
        Signal.handle(sig, previous);
        return true;
    }

    public static char state(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // "1234 (java) S 1 ..." — the name may contain spaces and ')', so look after the LAST ')'
        return stat.charAt(stat.lastIndexOf(')') + 2);
    }

    public static Process startIgnoring(String name) throws IOException {
        if (!name.matches("[A-Z0-9]+")) throw new IllegalArgumentException("not a signal name: '" + name + "'");
        // SIG_IGN survives exec: sleep inherits it from the shell that set it.
        return new ProcessBuilder("sh", "-c", "trap '' " + name + "; exec sleep 60").start();
    }

    public static int kernelIgnore(String name) {
        return org.ipclab.labs.support.Sigaction.ignoreAndRestore(new Signal(name).getNumber());
    }
}
