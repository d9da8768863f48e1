package org.ipclab.labs.lab10;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Lab 10 reference solution, task 4. */
public final class Pending {
    private Pending() {
    }

    public static List<Integer> of(long pid, long tid) throws IOException {
        Path status = Path.of("/proc", Long.toString(pid), "task", Long.toString(tid), "status");
        for (String line : Files.readAllLines(status)) {
            if (!line.startsWith("SigPnd:")) continue; // the thread's own; ShdPnd is the process's shared set
            long mask = Long.parseUnsignedLong(line.substring(7).strip(), 16);
            List<Integer> pending = new ArrayList<>();
            for (int s = 1; s <= 64; s++) if ((mask >>> (s - 1) & 1) == 1) pending.add(s);
            return pending;
        }
        throw new IOException(status + " has no SigPnd line");
    }
}
