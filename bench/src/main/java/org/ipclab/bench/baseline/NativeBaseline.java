package org.ipclab.bench.baseline;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The native C floor beside the Java run: finds the system C compiler, builds {@code ipclab-native}
 * from the C sources shipped in this package (resources {@code org/ipclab/bench/baseline/*.c|h})
 * once per source version, and runs it.
 *
 * <pre>
 *   Optional&lt;NativeBaseline&gt; c = NativeBaseline.prepare(NativeBaseline.defaultCacheRoot(), note -&gt; System.err.println(note));
 *   Optional&lt;String&gt; m = Providers.describe(spec).nativeProgram();   // shm with wait=spin: "shm-spin"
 *   if (c.isPresent() &amp;&amp; m.isPresent()) {
 *       NativeResult r = c.get().run(m.get(), "latency", 64, Duration.ofSeconds(2), Duration.ofSeconds(5));
 *       ... r.p50Us() beside the Java p50 ...
 *   }
 * </pre>
 *
 * Build cache: {@code ~/.cache/ipclab/native/<sha256 of compiler, flags and sources>/} (or under
 * {@code $XDG_CACHE_HOME}), holding the sources, {@code build.log} and the binary; a source change
 * gives a new directory, so it is rebuilt. The binary is moved into place atomically, so two
 * concurrent first runs are safe. The compiler is {@code $CC} when set, else the first of
 * {@code cc}, {@code gcc}, {@code clang} on the PATH.
 *
 * <p>What the program measures and prints is documented at the top of {@code ipclab_native.c}.
 */
public final class NativeBaseline {
    /** The C sources, in the order they are compiled (the header first: it is copied, not compiled). */
    public static final List<String> SOURCES = List.of(
            "ipclab_native.h", "ipclab_native.c", "counters.c", "stream.c", "dgram.c", "shm.c", "shm_header.c", "mqueue.c", "signal.c", "fanin.c",
            "fanin_fifo.c");
    static final List<String> FLAGS = List.of("-O2", "-Wall", "-Wextra", "-std=gnu11");
    static final List<String> LIBS = List.of("-lrt", "-lpthread");
    static final String BINARY = "ipclab-native";
    private static final Duration COMPILE_TIMEOUT = Duration.ofMinutes(2);
    /** Added to warm-up + duration: fork, setup and the final exchange; the C watchdog fires at +30 s. */
    private static final Duration RUN_SLACK = Duration.ofSeconds(40);

    private final Path binary;
    /** The programs the binary contains (its first argument), as it lists them; read once. */
    private volatile List<String> programs;
    private final Path compiler;
    /** CPUs for the runner and its forked peer (-1: wherever the scheduler puts them). */
    private final int runnerCpu;
    private final int peerCpu;

    /** Whether the C pair opens its perf counters (they cost a little per system call and switch). */
    private final boolean kernelCounters;

    private NativeBaseline(Path binary, Path compiler) {
        this(binary, compiler, -1, -1, true);
    }

    private NativeBaseline(Path binary, Path compiler, int runnerCpu, int peerCpu, boolean kernelCounters) {
        this.binary = binary;
        this.compiler = compiler;
        this.runnerCpu = runnerCpu;
        this.peerCpu = peerCpu;
        this.kernelCounters = kernelCounters;
    }

    /** The same program, with its runner and forked peer placed on these CPUs (as {@code ipc bench --pin} placed the Java pair). */
    public NativeBaseline pinned(int runnerCpu, int peerCpu) {
        return new NativeBaseline(binary, compiler, runnerCpu, peerCpu, kernelCounters);
    }

    /** The same program, counting with perf or not, as the Java side does ({@code ipc bench --no-counters}). */
    public NativeBaseline kernelCounters(boolean on) {
        return new NativeBaseline(binary, compiler, runnerCpu, peerCpu, on);
    }

    /**
     * The programs {@code ipclab-native} contains (its first argument), as the binary itself lists
     * them in its usage line: the C table is the one definition. Each Java mechanism names its own
     * in {@link org.ipclab.core.MechanismInfo#nativeProgram()}; a test checks that every such name is here.
     */
    public List<String> programs() throws IOException {
        List<String> known = programs;
        if (known != null) return known;
        Process p = new ProcessBuilder(binary.toString()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking " + binary + " for its programs");
        }
        for (String line : text.split("\n")) {
            if (line.startsWith("mechanisms:")) {
                known = List.of(line.substring("mechanisms:".length()).trim().split("\\s+"));
                programs = known;
                return known;
            }
        }
        throw new IOException(binary + " did not list its programs; it said: " + oneLine(text));
    }

    /** The compiled program. */
    public Path binary() {
        return binary;
    }

    /** The compiler it was built with. */
    public Path compiler() {
        return compiler;
    }

    /** {@code $XDG_CACHE_HOME/ipclab/native}, else {@code ~/.cache/ipclab/native}. */
    public static Path defaultCacheRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Paths.get(xdg) : Paths.get(System.getProperty("user.home"), ".cache");
        return base.resolve("ipclab").resolve("native");
    }

    /**
     * Finds the compiler and builds the program if this source version has not been built yet.
     * Empty when the baseline cannot run here, after telling {@code whyNot} one line saying why
     * (no compiler, the build failed: the log's path is in the line); the Java run goes on without it.
     */
    public static Optional<NativeBaseline> prepare(Path cacheRoot, Consumer<String> whyNot) {
        Optional<Path> cc = findCompiler();
        if (cc.isEmpty()) {
            whyNot.accept("native baseline skipped: no C compiler (" + (System.getenv("CC") != null ? "$CC, " : "")
                    + "cc, gcc or clang) on the PATH; install one (Debian: apt-get install gcc) to see the C figures");
            return Optional.empty();
        }
        try {
            return Optional.of(build(cc.get(), cacheRoot));
        } catch (IOException | UncheckedIOException e) {
            whyNot.accept("native baseline skipped: " + oneLine(e.getMessage()));
            return Optional.empty();
        }
    }

    /** {@code $CC} when it names an executable, else the first of cc, gcc, clang on the PATH. */
    public static Optional<Path> findCompiler() {
        String env = System.getenv("CC");
        if (env != null && !env.isBlank()) {
            Optional<Path> p = executable(env.strip());
            if (p.isPresent()) return p;
        }
        for (String name : List.of("cc", "gcc", "clang")) {
            Optional<Path> p = executable(name);
            if (p.isPresent()) return p;
        }
        return Optional.empty();
    }

    private static Optional<Path> executable(String name) {
        if (name.contains("/")) {
            Path p = Paths.get(name);
            return Files.isRegularFile(p) && Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        String path = System.getenv("PATH");
        if (path == null) return Optional.empty();
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) continue;
            Path p = Paths.get(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    /**
     * Runs one measurement: {@code ipclab-native <mechanism> <mode> <size> <warmup_ms> <duration_ms>}.
     * The program forks its own peer; it is stopped (SIGTERM, then SIGKILL) when it overruns
     * warm-up + duration + 40 s, or when this JVM exits.
     *
     * @param mode {@code latency} or {@code throughput}
     * @return the parsed result, whose integrity is clean (udp alone may lose)
     * @throws IOException with the program's one-line error (bad size for the mechanism, a failed
     *                     system call with its errno name, the peer dying), on a timeout, or when the
     *                     C run lost, reordered or corrupted messages (exit 3): its figures are not a floor
     */
    public NativeResult run(String mechanism, String mode, int size, Duration warmup, Duration duration) throws IOException {
        return run(mechanism, mode, size, warmup, duration, 0);
    }

    /**
     * As {@link #run(String, String, int, Duration, Duration)}; {@code ratePerSecond} &gt; 0 runs latency
     * in open loop: probes sent on a fixed schedule, latency from each one's intended send time,
     * as {@code ipc bench --rate} measures the Java pair.
     */
    public NativeResult run(String mechanism, String mode, int size, Duration warmup, Duration duration,
                            double ratePerSecond) throws IOException {
        return run(mechanism, mode, size, warmup, duration, ratePerSecond, null);
    }

    /**
     * The C fan-in ({@code ipc bench --clients N}): N forked client processes against one server
     * process, each driving its own session, as the Java fan-in does; the figures are the aggregate
     * (the sum of the clients' rates, the merged latency histogram). Told through IPCLAB_CLIENTS.
     */
    public NativeResult runFanIn(String mechanism, String mode, int size, Duration warmup, Duration duration, int clients) throws IOException {
        if (clients < 1) throw new IllegalArgumentException("clients must be at least 1, got " + clients);
        return run(mechanism, mode, size, warmup, duration, 0, null, clients);
    }

    /**
     * As {@link #run(String, String, int, Duration, Duration, double)}; in closed-loop latency,
     * {@code samples} (when not null) receives every measured RTT as "nanoseconds count" lines, for
     * an exact merge of several C pairs' distributions ({@code ipc bench --pairs}).
     */
    public NativeResult run(String mechanism, String mode, int size, Duration warmup, Duration duration,
                            double ratePerSecond, Path samples) throws IOException {
        return run(mechanism, mode, size, warmup, duration, ratePerSecond, samples, 0);
    }

    private NativeResult run(String mechanism, String mode, int size, Duration warmup, Duration duration,
                             double ratePerSecond, Path samples, int clients) throws IOException {
        if (!programs().contains(mechanism))
            throw new IllegalArgumentException("no native program '" + mechanism + "'; known: " + String.join(", ", programs()));
        if (!mode.equals("latency") && !mode.equals("throughput"))
            throw new IllegalArgumentException("mode must be latency or throughput, got '" + mode + "'");
        if (warmup.isNegative() || duration.isNegative() || duration.isZero())
            throw new IllegalArgumentException("warm-up must be >= 0 and duration > 0, got " + warmup + " and " + duration);
        List<String> command = new ArrayList<>(List.of(binary.toString(), mechanism, mode, Integer.toString(size),
                Long.toString(warmup.toMillis()), Long.toString(Math.max(1, duration.toMillis()))));
        if (ratePerSecond > 0) command.add(Long.toString(Math.max(1, Math.round(ratePerSecond))));
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE);
        if (!kernelCounters) pb.environment().put("IPCLAB_NO_COUNTERS", "1");
        if (clients > 0) pb.environment().put("IPCLAB_CLIENTS", Integer.toString(clients));
        if (samples != null) pb.environment().put("IPCLAB_SAMPLES", samples.toString());
        if (runnerCpu >= 0) {
            pb.environment().put("IPCLAB_PIN_RUNNER", Integer.toString(runnerCpu));
            pb.environment().put("IPCLAB_PIN_PEER", Integer.toString(peerCpu));
        }
        Process p = pb.start();
        p.getOutputStream().close();
        Thread hook = new Thread(p::destroy, "ipclab-native-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            Drain out = Drain.start(p.getInputStream(), "ipclab-native-stdout");
            Drain err = Drain.start(p.getErrorStream(), "ipclab-native-stderr");
            Duration limit = warmup.plus(duration).plus(RUN_SLACK);
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroy(); // SIGTERM: the program removes its kernel objects and kills its peer
                if (!p.waitFor(3, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(3, TimeUnit.SECONDS);
                throw new IOException("ipclab-native " + mechanism + " " + mode + " timed out after " + limit.toSeconds() + " s");
            }
            String stdout = out.text();
            String stderr = err.text();
            int code = p.exitValue();
            String line = lastLine(stdout);
            if (code == 0 || (code == 3 && !line.isEmpty())) {
                NativeResult r;
                try {
                    r = NativeResult.parse(line);
                } catch (IllegalArgumentException e) {
                    throw new IOException("ipclab-native " + mechanism + ": " + e.getMessage());
                }
                // A C run that lost or corrupted messages measured something else: no valid ratio from it.
                if (code == 3) { // the program's own verdict: corrupt, reordered, or lost on a reliable mechanism
                    throw new IOException("ipclab-native " + mechanism + " failed its integrity check: sent " + r.sent()
                            + ", received " + r.received() + ", lost " + r.lost() + ", reordered " + r.reordered()
                            + ", corrupt " + r.corrupt() + ", duplicates " + r.duplicates());
                }
                return r;
            }
            // The first line says it: when the peer fails, its own line comes before the runner's "peer exited".
            String why = firstLine(stderr);
            throw new IOException(why.isEmpty() ? "ipclab-native " + mechanism + " exited with status " + code : why);
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running ipclab-native " + mechanism, e);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or will run: nothing to undo
            }
        }
    }

    // ------------------------------------------------------------------ build

    static NativeBaseline build(Path cc, Path cacheRoot) throws IOException {
        List<byte[]> contents = new ArrayList<>();
        for (String name : SOURCES) contents.add(resource(name));
        Path dir = cacheRoot.resolve(digest(cc, contents));
        Path binary = dir.resolve(BINARY);
        if (Files.isExecutable(binary)) return new NativeBaseline(binary, cc);
        createPrivateDirectories(dir);
        for (int i = 0; i < SOURCES.size(); i++) writeAtomically(dir.resolve(SOURCES.get(i)), contents.get(i));
        Path tmp = dir.resolve(BINARY + ".tmp-" + ProcessHandle.current().pid());
        List<String> command = new ArrayList<>();
        command.add(cc.toString());
        command.addAll(FLAGS);
        command.add("-o");
        command.add(tmp.getFileName().toString());
        for (String s : SOURCES) if (s.endsWith(".c")) command.add(s);
        command.addAll(LIBS);
        Path log = dir.resolve("build.log");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(COMPILE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(3, TimeUnit.SECONDS);
                Files.deleteIfExists(tmp);
                throw new IOException(cc + " did not finish within " + COMPILE_TIMEOUT.toSeconds() + " s; log: " + log);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while compiling the native baseline", e);
        }
        if (p.exitValue() != 0 || !Files.isRegularFile(tmp)) {
            Files.deleteIfExists(tmp);
            String first = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                    .filter(l -> l.contains("error")).findFirst().orElse("exit status " + p.exitValue());
            throw new IOException(cc + " failed: " + first.strip() + " (log: " + log + ")");
        }
        move(tmp, binary);
        return new NativeBaseline(binary, cc);
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = NativeBaseline.class.getResourceAsStream(name)) {
            if (in == null) throw new IOException("C source " + name + " is missing from the class path (org/ipclab/bench/baseline/)");
            return in.readAllBytes();
        }
    }

    /** SHA-256 over the compiler path, the flags and each source's name and bytes. */
    static String digest(Path cc, List<byte[]> contents) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((cc + "\0" + FLAGS + LIBS + "\0").getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < SOURCES.size(); i++) {
                md.update((SOURCES.get(i) + "\0" + contents.get(i).length + "\0").getBytes(StandardCharsets.UTF_8));
                md.update(contents.get(i));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static void createPrivateDirectories(Path dir) throws IOException {
        Path parent = dir.getParent();
        if (parent != null && !Files.isDirectory(parent)) createPrivateDirectories(parent);
        if (Files.isDirectory(dir)) return;
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (java.nio.file.FileAlreadyExistsException raced) {
            // another run created it first
        }
    }

    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        Files.write(tmp, bytes);
        move(tmp, target);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1].strip();
    }

    private static String firstLine(String text) {
        return text.strip().lines().findFirst().orElse("").strip();
    }

    private static String oneLine(String s) {
        return s == null ? "unknown error" : s.replace('\n', ' ').strip();
    }

    /** Reads a child's stream to its end on a daemon thread, so a full pipe never blocks the child. */
    private static final class Drain {
        private final Thread thread;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private volatile IOException failure;

        private Drain(InputStream in, String name) {
            thread = new Thread(() -> {
                try (in) {
                    in.transferTo(bytes);
                } catch (IOException e) {
                    failure = e;
                }
            }, name);
            thread.setDaemon(true);
        }

        static Drain start(InputStream in, String name) {
            Drain d = new Drain(in, name);
            d.thread.start();
            return d;
        }

        String text() throws IOException, InterruptedException {
            thread.join(TimeUnit.SECONDS.toMillis(5));
            if (failure != null) throw failure;
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
