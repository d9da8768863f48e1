package org.ipclab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import org.ipclab.bench.BenchConfig;
import org.ipclab.bench.Benchmark;
import org.ipclab.bench.Environment;
import org.ipclab.bench.Mode;
import org.ipclab.bench.NanoClock;
import org.ipclab.bench.Progress;
import org.ipclab.bench.Results;
import org.ipclab.bench.Runner;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.Leftover;
import org.ipclab.core.Names;
import org.ipclab.core.Providers;
import org.ipclab.core.Sweeper;
import org.ipclab.core.Units;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A self-test to paste into a bug report: what this machine is, what ipclab finds on it and whether
 * each mechanism really carries messages between two processes. One line per check, the verdict first.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Check this machine for ipclab and print a pasteable report.",
                "Environment, libraries, /dev/shm and /dev/mqueue, kernel limits, C compiler and perf,",
                "leftovers of crashed runs, and a short smoke run of every available mechanism.",
                "Exit 0 when all is well, 1 when a line says FAIL."})
final class DoctorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "500ms",
            description = "Measured time of each mechanism's smoke run, after a short warm-up (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--no-smoke", description = "Skip the smoke runs (availability only).")
    boolean noSmoke;

    private PrintWriter out;
    private int failures;

    @Override
    public Integer call() {
        Duration d = Units.parseDuration("--duration", duration);
        out = spec.commandLine().getOut();
        out.println("ipc doctor — paste everything below into a bug report");
        info("ipclab", BuildInfo.version() + " (commit " + BuildInfo.commit() + ", built " + BuildInfo.buildTime() + ")");
        info("JDK", BuildInfo.jdk());
        BuildInfo.libraries().forEach((lib, v) -> info(lib, v));
        Environment.capture().forEach((k, v) -> info(k, v.isEmpty() ? "(none)" : v));
        nativeLibraries();
        devShm();
        devMqueue();
        limits();
        tool("cc", "C compiler (native baseline)", "cc", "--version");
        tool("perf", "perf (profiling the labs)", "perf", "--version");
        leftovers();
        mechanisms(d);
        out.println(failures == 0 ? "doctor: all checks passed" : "doctor: " + failures + " check(s) FAILED (lines marked FAIL)");
        out.flush();
        return failures == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    private void line(String verdict, String what, String detail) {
        out.printf("%-4s  %-22s %s%n", verdict, what, detail);
        out.flush();
    }

    private void info(String what, String detail) {
        line("info", what, detail);
    }

    private void ok(String what, String detail) {
        line("ok", what, detail);
    }

    private void warn(String what, String detail) {
        line("warn", what, detail);
    }

    private void fail(String what, String detail) {
        failures++;
        line("FAIL", what, detail);
    }

    private void nativeLibraries() {
        try {
            jnr.posix.POSIX posix = jnr.posix.POSIXFactory.getNativePOSIX();
            if (posix.isNative()) ok("jnr-posix native", "loaded (pid " + posix.getpid() + ")");
            else fail("jnr-posix native", "not loaded: pipes, FIFOs, signals and message queues need it");
        } catch (Throwable e) {
            fail("jnr-posix native", "not loaded: " + e);
        }
        try {
            if (org.newsclub.net.unix.AFUNIXSocket.isSupported()) ok("junixsocket native", "loaded");
            else warn("junixsocket native", "not loaded: the junix and unix-seqpacket mechanisms are unavailable");
        } catch (Throwable e) {
            warn("junixsocket native", "not loaded: " + e);
        }
    }

    private void devShm() {
        Path shm = Path.of("/dev/shm");
        if (!Files.isDirectory(shm)) {
            fail("/dev/shm", "missing: shared memory and Chronicle Queue need it");
            return;
        }
        Path probe = shm.resolve(Names.unique("doctor"));
        try {
            Files.write(probe, new byte[4096]);
            FileStore store = Files.getFileStore(shm);
            ok("/dev/shm", "writable, " + Units.formatSize(store.getUsableSpace()) + " free of " + Units.formatSize(store.getTotalSpace()));
        } catch (IOException e) {
            fail("/dev/shm", "not writable: " + e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(probe);
            } catch (IOException ignored) {
                // reported by the sweep of a later run
            }
        }
    }

    private void devMqueue() {
        boolean mounted = false;
        Path dir = Path.of("/dev/mqueue");
        try {
            // a file system of its own there, not the /dev directory it sits in
            mounted = Files.isDirectory(dir) && !Files.getFileStore(dir).equals(Files.getFileStore(dir.getParent()));
        } catch (IOException ignored) {
            // reported as not mounted
        }
        if (mounted) ok("/dev/mqueue", "mounted (POSIX message queues are listed there)");
        else warn("/dev/mqueue", "not mounted: queues still work, but leftovers cannot be listed (mount -t mqueue none /dev/mqueue)");
    }

    private void limits() {
        info("msg_max", read("/proc/sys/fs/mqueue/msg_max") + " messages per POSIX queue");
        info("msgsize_max", read("/proc/sys/fs/mqueue/msgsize_max") + " bytes per POSIX message");
        info("pipe-max-size", read("/proc/sys/fs/pipe-max-size") + " bytes (largest F_SETPIPE_SZ without CAP_SYS_RESOURCE)");
        String mq = limit("Max msgqueue size");
        info("RLIMIT_MSGQUEUE", mq + " bytes for all POSIX queues of this user");
        String files = limit("Max open files");
        try {
            long soft = Long.parseLong(files.split(" ")[0]);
            if (soft < 256) fail("ulimit -n", files + ": too few for a benchmark with peers (raise to 1024 or more)");
            else ok("ulimit -n", files + " (soft hard)");
        } catch (NumberFormatException e) {
            ok("ulimit -n", files);
        }
    }

    private static String read(String file) {
        try {
            List<String> lines = Files.readAllLines(Path.of(file));
            return lines.isEmpty() ? "unknown" : lines.get(0).trim();
        } catch (IOException e) {
            return "unknown (" + file + " unreadable)";
        }
    }

    /** "soft hard" of one row of /proc/self/limits. */
    private static String limit(String name) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (l.startsWith(name)) {
                    String[] parts = l.substring(name.length()).trim().split("\\s+");
                    return parts[0] + " " + parts[1];
                }
            }
        } catch (IOException ignored) {
            // below
        }
        return "unknown";
    }

    private void tool(String name, String what, String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String first = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().findFirst().orElse("");
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                ok(name, first);
                return;
            }
            warn(name, what + ": '" + String.join(" ", command) + "' failed: " + first);
        } catch (IOException e) {
            warn(name, what + ": not installed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void leftovers() {
        List<Leftover> found = new ArrayList<>();
        try {
            for (Sweeper s : ServiceLoader.load(Sweeper.class)) found.addAll(s.find(false));
        } catch (IOException | RuntimeException e) {
            warn("leftovers", "could not look: " + e.getMessage());
            return;
        }
        if (found.isEmpty()) ok("leftovers", "none from crashed runs");
        else warn("leftovers", found.size() + " from crashed runs (first: " + found.get(0).describe() + "); 'ipc clean' removes them");
    }

    private void mechanisms(Duration d) {
        List<String> available = new ArrayList<>();
        for (ChannelProvider p : Providers.all()) {
            if (p.describe().unavailableBecause().isPresent()) {
                warn(p.name(), "unavailable here: " + p.describe().unavailableBecause().get());
            } else {
                available.add(p.name());
                if (noSmoke) ok(p.name(), "available");
            }
        }
        if (noSmoke || available.isEmpty()) return;
        BenchConfig cfg = new BenchConfig(available, List.of(Mode.LATENCY), List.of(64), Duration.ofMillis(200), d,
                0, 1, Duration.ofSeconds(10), Map.of());
        Runner runner = new Runner(NanoClock.SYSTEM, Runner::processCpuNanos, Runner::newHistogram);
        Progress quiet = new Progress() {
            @Override
            public void warn(String message) {
                // a note about a clamped parameter is not a doctor finding
            }
        };
        Results.Report r;
        try {
            r = new Benchmark(runner, quiet).run(cfg, Map.of(), BuildInfo.version());
        } catch (RuntimeException e) {
            fail("smoke runs", "the benchmark could not run: " + e.getMessage());
            return;
        }
        for (String name : available) {
            Results.Measurement m = r.measurements().stream().filter(x -> x.mechanism().equals(name)).findFirst().orElse(null);
            if (m == null) {
                fail(name, "available, but the smoke run did not happen");
            } else if (m.ok()) {
                Results.Latency l = m.summary().latency();
                ok(name, String.format(Locale.ROOT, "available; smoke run %s, %d round trips between two processes, RTT p50 %.1f µs, all verified",
                        Units.format(d), l.count(), l.p50Us()));
            } else {
                fail(name, "smoke run " + m.status() + ": " + m.error());
            }
        }
    }
}
