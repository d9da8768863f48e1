package org.ipclab.bench.counters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.ipclab.core.ExitCleanup;
import org.ipclab.core.Names;

/**
 * {@code perf stat} on a fixed set of threads, started with its events off and switched on and
 * off through its control FIFO, so it counts exactly the measured phase: every system call
 * (the {@code raw_syscalls:sys_enter} tracepoint), context switches, CPU migrations and page
 * faults, per thread. Software events only: they need no hardware counters (a VM has none).
 */
public final class PerfStat implements AutoCloseable {
    /** perf event → counter name in the results. */
    public static final Map<String, String> EVENTS = events();
    private static final Duration ACK = Duration.ofSeconds(10);
    private static volatile Optional<String> unavailable;

    private final Process process;
    private final Path dir;
    private final Path output;
    private final FileChannel control;
    private final BlockingQueue<String> acks = new ArrayBlockingQueue<>(16);
    private final AutoCloseable cleanup = this::close;

    private static Map<String, String> events() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("raw_syscalls:sys_enter", "syscalls");
        m.put("context-switches", "context_switches");
        m.put("cpu-migrations", "cpu_migrations");
        m.put("page-faults", "page_faults");
        return java.util.Collections.unmodifiableMap(m);
    }

    /** Empty when perf can count here, else why not (no perf on the PATH, not allowed, no tracepoint). */
    public static Optional<String> unavailable() {
        Optional<String> u = unavailable;
        if (u == null) unavailable = u = probe();
        return u;
    }

    private static Optional<String> probe() {
        try {
            Process p = new ProcessBuilder("perf", "stat", "-x,", "-e", String.join(",", EVENTS.keySet()), "--", "true")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.of("perf stat did not answer within 20 s");
            }
            if (p.exitValue() != 0 || out.contains("<not supported>")) {
                String first = out.lines().filter(l -> !l.isBlank()).findFirst().orElse("exit status " + p.exitValue());
                return Optional.of("perf stat cannot count " + String.join(",", EVENTS.keySet()) + " here: " + first.strip()
                        + " (it needs root or kernel.perf_event_paranoid <= -1, and tracefs for raw_syscalls)");
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("no perf on the PATH (Debian: apt-get install linux-perf)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while probing perf");
        }
    }

    private PerfStat(Process process, Path dir, Path output, FileChannel control, FileChannel ack) {
        this.process = process;
        this.dir = dir;
        this.output = output;
        this.control = control;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(Channels.newInputStream(ack), StandardCharsets.US_ASCII))) {
                String line;
                while ((line = r.readLine()) != null) acks.offer(line.strip());
            } catch (IOException ignored) {
                // closed: perf is done
            }
        }, "ipclab-perf-ack");
        reader.setDaemon(true);
        reader.start();
        ExitCleanup.register(cleanup);
    }

    /** Starts perf on these threads, counting nothing until {@link #enable()}. */
    public static PerfStat start(List<Long> tids) throws IOException {
        Path dir = Names.privateDirectory("perf");
        Path ctl = dir.resolve("ctl");
        Path ack = dir.resolve("ack");
        Path out = dir.resolve("stat.csv");
        try {
            mkfifo(ctl);
            mkfifo(ack);
            // Read and write: opening a FIFO so never waits for the other side to open it.
            FileChannel c = FileChannel.open(ctl, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileChannel a = FileChannel.open(ack, StandardOpenOption.READ, StandardOpenOption.WRITE);
            Process p = new ProcessBuilder("perf", "stat", "--per-thread", "-x,", "-e", String.join(",", EVENTS.keySet()),
                    "-t", tids.stream().map(String::valueOf).collect(Collectors.joining(",")),
                    "-D", "-1", "--control", "fifo:" + ctl + "," + ack, "-o", out.toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(dir.resolve("stderr").toFile()).start();
            return new PerfStat(p, dir, out, c, a);
        } catch (IOException | RuntimeException e) {
            deleteTree(dir);
            throw e;
        }
    }

    public void enable() throws IOException {
        command("enable");
    }

    public void disable() throws IOException {
        command("disable");
    }

    private void command(String what) throws IOException {
        control.write(ByteBuffer.wrap((what + "\n").getBytes(StandardCharsets.US_ASCII)));
        try {
            String a = acks.poll(ACK.toMillis(), TimeUnit.MILLISECONDS);
            if (a == null) throw new IOException("perf stat did not acknowledge '" + what + "' within " + ACK.toSeconds() + " s"
                    + (process.isAlive() ? "" : " (it exited: " + stderr() + ")"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for perf", e);
        }
    }

    /** Stops perf (SIGINT makes it print its counts) and returns them: tid → counter → count. */
    public Map<Long, Map<String, Long>> stop() throws IOException {
        try {
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).redirectErrorStream(true).start();
            kill.waitFor(5, TimeUnit.SECONDS);
            if (!process.waitFor(10, TimeUnit.SECONDS)) throw new IOException("perf stat did not stop within 10 s of SIGINT");
            return parse(Files.readAllLines(output));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping perf", e);
        } finally {
            close();
        }
    }

    /**
     * perf stat {@code --per-thread -x,} lines: {@code comm-tid,count,unit,event,...}. A thread that
     * never ran while counting shows {@code <not counted>}: it did nothing, so 0.
     */
    static Map<Long, Map<String, Long>> parse(List<String> lines) {
        Map<Long, Map<String, Long>> byTid = new HashMap<>();
        for (String line : lines) {
            if (line.startsWith("#") || line.isBlank()) continue;
            String[] f = line.split(",", -1);
            for (int i = 3; i < f.length; i++) {
                String counter = EVENTS.get(f[i]);
                if (counter == null) continue;
                String thread = String.join(",", java.util.Arrays.copyOfRange(f, 0, i - 2));
                int dash = thread.lastIndexOf('-');
                if (dash < 0) break;
                long tid;
                try {
                    tid = Long.parseLong(thread.substring(dash + 1));
                } catch (NumberFormatException e) {
                    break;
                }
                String count = f[i - 2];
                if (count.equals("<not supported>")) break;
                long value = count.equals("<not counted>") ? 0 : Long.parseLong(count);
                byTid.computeIfAbsent(tid, k -> new HashMap<>()).put(counter, value);
                break;
            }
        }
        return byTid;
    }

    private String stderr() {
        try {
            return Files.readString(dir.resolve("stderr")).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) process.destroyForcibly();
        try {
            control.close();
        } catch (IOException ignored) {
            // nothing to do
        }
        deleteTree(dir);
        ExitCleanup.forget(cleanup);
    }

    private static void mkfifo(Path p) throws IOException {
        try {
            Process m = new ProcessBuilder("mkfifo", "-m", "600", p.toString()).redirectErrorStream(true).start();
            String out = new String(m.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!m.waitFor(10, TimeUnit.SECONDS) || m.exitValue() != 0) throw new IOException("mkfifo " + p + " failed: " + out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while creating " + p, e);
        }
    }

    private static void deleteTree(Path dir) {
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) Files.deleteIfExists(p);
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // already gone
        }
    }
}
