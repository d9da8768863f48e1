package org.ipclab.bench;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.BadInputException;
import org.ipclab.core.Capability;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.IpcException;

/**
 * Where the two processes run: {@code --pin 0,1} puts the runner on CPU 0 and the peer on CPU 1
 * with {@code taskset -a -p} (every thread, also those started later, which inherit the mask).
 * Unpinned, the scheduler moves both at will — the default, and what most services get.
 */
public final class Placement {
    private final int runnerCpu;
    private final int peerCpu;

    private Placement(int runnerCpu, int peerCpu) {
        this.runnerCpu = runnerCpu;
        this.peerCpu = peerCpu;
    }

    public static Placement none() {
        return new Placement(-1, -1);
    }

    /** "0,1": runner on CPU 0, peer on CPU 1. */
    public static Placement parse(String text) {
        String[] parts = text.split(",");
        int cores = Runtime.getRuntime().availableProcessors();
        if (parts.length != 2) throw new BadInputException("--pin '" + text + "' needs two CPUs: RUNNER,PEER (e.g. 0,1)");
        int[] cpus = new int[2];
        for (int i = 0; i < 2; i++) {
            try {
                cpus[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new BadInputException("--pin '" + text + "': '" + parts[i] + "' is not a CPU number");
            }
            if (cpus[i] < 0 || cpus[i] >= cores) {
                throw new BadInputException("--pin '" + text + "': CPU " + cpus[i] + " does not exist here (0 .. " + (cores - 1) + ")");
            }
        }
        return new Placement(cpus[0], cpus[1]);
    }

    /** The C baseline placed as the Java pair is. */
    public org.ipclab.bench.baseline.NativeBaseline apply(org.ipclab.bench.baseline.NativeBaseline baseline) {
        return pinned() ? baseline.pinned(runnerCpu, peerCpu) : baseline;
    }

    public boolean pinned() {
        return runnerCpu >= 0;
    }

    public String describe() {
        if (!pinned()) return "none (the scheduler places both processes)";
        return "runner on CPU " + runnerCpu + ", peer on CPU " + peerCpu + " (taskset)"
                + (runnerCpu == peerCpu ? " — the same CPU: every exchange needs a context switch" : "");
    }

    public void pinRunner() throws IOException {
        if (pinned()) taskset(ProcessHandle.current().pid(), runnerCpu);
    }

    public void pinPeer(long pid) throws IOException {
        if (pinned()) taskset(pid, peerCpu);
    }

    /** A warning when busy-waiting threads outnumber the CPUs they can run on, or empty. */
    public String spinWarning(MechanismInfo mechanism) {
        if (!mechanism.has(Capability.BUSY_WAITS)) return null;
        int free = pinned() ? (runnerCpu == peerCpu ? 1 : 2) : Runtime.getRuntime().availableProcessors();
        if (free >= 2) return null;
        return mechanism.name() + " busy-waits in both processes (as configured) but they share " + free
                + " CPU: each waits for the other's time slice; expect milliseconds, not microseconds";
    }

    /**
     * {@code taskset -a} walks the process's threads one by one: a thread that ends meanwhile (a
     * JVM's process reaper, a compiler thread) fails the walk with "No such process" though every
     * living thread got pinned, so that failure is tried again a few times.
     */
    private static void taskset(long pid, int cpu) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                tasksetOnce(pid, cpu);
                return;
            } catch (IpcException e) {
                boolean threadEnded = String.valueOf(e.getMessage()).contains("No such process")
                        && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
                if (!threadEnded || attempt == 3) throw e;
            }
        }
    }

    private static void tasksetOnce(long pid, int cpu) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder("taskset", "-a", "-p", "-c", Integer.toString(cpu), Long.toString(pid))
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new BadInputException("--pin needs the taskset command (util-linux): " + e.getMessage());
        }
        try {
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IpcException("taskset -a -p -c " + cpu + " " + pid + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IpcException("interrupted while pinning pid " + pid);
        }
    }
}
