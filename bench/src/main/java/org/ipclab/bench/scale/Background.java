package org.ipclab.bench.scale;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.ipclab.bench.BenchConfig;
import org.ipclab.bench.Mode;
import org.ipclab.bench.NanoClock;
import org.ipclab.bench.PeerTarget;
import org.ipclab.bench.Results;
import org.ipclab.bench.Runner;
import org.ipclab.bench.Target;
import org.ipclab.core.BadInputException;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.ExitCleanup;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.Providers;
import org.ipclab.core.peer.PeerLauncher;
import org.ipclab.core.peer.PeerProtocol;
import org.ipclab.core.peer.PeerSession;

/**
 * A controlled load beside the measurement ({@code --background}), started, measured and stopped
 * by the tool: {@code cpu:N} is N processes that spin on a CPU each (unpinned: the scheduler puts
 * them where it likes, as it would a neighbour's job), {@code pair:M} a second ipclab pair on
 * mechanism M streaming 64-byte messages as fast as it can. Nothing outlives the run: {@link #close}
 * stops it, {@link ExitCleanup} on Ctrl-C, and each spinner also ends by itself once this JVM is gone
 * (even after a SIGKILL), because it spins on {@code kill -0} of this JVM's pid.
 */
public final class Background implements AutoCloseable {
    /** Most spinners one load may start: more than any machine's CPUs is a mistake, not a load. */
    static final int MAX_SPINNERS = 256;
    private static final int PAIR_SIZE = 64;

    private final String spec;
    private final int spinners;
    private final ChannelProvider pairProvider;
    private final List<Process> processes = new ArrayList<>();
    private PeerSession session;
    private Thread pairThread;
    private volatile boolean stopping;
    private volatile long pairMessages;
    private volatile String pairError;
    private long markNanos;
    private long markCpu;
    private long markMessages;

    private Background(String spec, int spinners, ChannelProvider pairProvider) {
        this.spec = spec;
        this.spinners = spinners;
        this.pairProvider = pairProvider;
    }

    /** "cpu:2" or "pair:MECHANISM"; anything else is a one-line error naming the value. */
    public static Background parse(String text) {
        int colon = text.indexOf(':');
        String kind = colon < 0 ? text : text.substring(0, colon);
        String arg = colon < 0 ? "" : text.substring(colon + 1).strip();
        if (kind.equals("cpu")) {
            int n;
            try {
                n = Integer.parseInt(arg);
            } catch (NumberFormatException e) {
                throw new BadInputException("--background '" + text + "': '" + arg + "' is not a number of CPU spinners (e.g. cpu:2)");
            }
            if (n < 1 || n > MAX_SPINNERS) {
                throw new BadInputException("--background '" + text + "': " + n + " spinners; the limit is 1 to " + MAX_SPINNERS);
            }
            return new Background(text, n, null);
        }
        if (kind.equals("pair")) {
            if (arg.isEmpty()) throw new BadInputException("--background '" + text + "' needs a mechanism: pair:MECHANISM (see 'ipc list')");
            ChannelProvider p;
            try {
                p = Providers.get(arg);
            } catch (BadInputException e) {
                throw new BadInputException("--background '" + text + "': " + e.getMessage());
            }
            p.describe().unavailableBecause().ifPresent(why -> {
                throw new BadInputException("--background '" + text + "': mechanism '" + arg + "' is not available here: " + why);
            });
            return new Background(text, 0, p);
        }
        throw new BadInputException("--background '" + text + "' is not cpu:N (N spinning processes) or pair:MECHANISM (a second ipclab pair)");
    }

    public String spec() {
        return spec;
    }

    /** What runs, in words, for the results. */
    public String description() {
        return pairProvider == null
                ? spinners + " process" + (spinners == 1 ? "" : "es") + " spinning on a CPU each (sh busy loop, unpinned)"
                : "a second ipclab pair on " + pairProvider.name() + " (own peer JVM and kernel objects; "
                + PAIR_SIZE + "-byte messages as fast as it goes, unpinned)";
    }

    /** The pids of what runs now (spinners, or the pair's peer), e.g. for a test to see they are gone after. */
    public List<Long> pids() {
        List<Long> pids = new ArrayList<>(processes.stream().map(Process::pid).toList());
        if (session != null) pids.add(session.pid());
        return pids;
    }

    /** Starts the load and waits until it runs. */
    public Background start() throws IOException {
        ExitCleanup.register(this);
        try {
            long self = ProcessHandle.current().pid();
            for (int i = 0; i < spinners; i++) {
                Process p = new ProcessBuilder("/bin/sh", "-c", "while kill -0 \"$1\" 2>/dev/null; do :; done", "ipclab-spinner",
                        Long.toString(self)).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                processes.add(p);
            }
            if (pairProvider != null) startPair();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        mark();
        return this;
    }

    private void startPair() throws IOException {
        ChannelSpec spec = Providers.specFor(pairProvider, Map.of());
        session = PeerLauncher.launch(pairProvider, spec, Duration.ofSeconds(30));
        MechanismInfo info = session.info();
        Mode mode = PeerProtocol.of(info).sinks() ? Mode.THROUGHPUT : Mode.LATENCY;
        int size = PeerProtocol.of(info).sinks() ? PAIR_SIZE : info.maxMessageSize();
        BenchConfig slice = new BenchConfig(List.of(info.name()), List.of(mode), List.of(size), Duration.ZERO,
                Duration.ofMillis(100), 0, 1, Duration.ofSeconds(10), Map.of());
        Runner runner = new Runner(NanoClock.SYSTEM, () -> 0L, Runner::newHistogram);
        Target target = new PeerTarget(session, Map.of("load", "background"));
        pairThread = new Thread(() -> {
            while (!stopping) {
                Results.Measurement m = mode == Mode.THROUGHPUT ? runner.throughput(target, size, slice) : runner.latency(target, size, slice);
                if (!m.ok()) {
                    if (!stopping) pairError = m.error();
                    return;
                }
                pairMessages += m.integrity().received();
            }
        }, "ipclab-background-pair");
        pairThread.setDaemon(true);
        pairThread.start();
    }

    /** Starts a new measuring period: {@link #figures()} covers the time from here. */
    public void mark() {
        markNanos = System.nanoTime();
        markCpu = cpuNanos();
        markMessages = pairMessages;
    }

    /** The load's own CPU and work since {@link #mark()}. */
    public PairsFigures.Load figures() {
        double seconds = (System.nanoTime() - markNanos) / 1e9;
        double cpu = (cpuNanos() - markCpu) / 1e9;
        Long messages = pairProvider == null ? null : pairMessages - markMessages;
        Double rate = messages == null || seconds <= 0 ? null : messages / seconds;
        String error = pairError;
        for (Process p : processes) if (!p.isAlive()) error = "spinner pid " + p.pid() + " ended early (exit " + p.exitValue() + ")";
        return new PairsFigures.Load(spec, description(), cpu, seconds > 0 ? cpu / seconds : null, messages, rate, error);
    }

    /** CPU time of the spinners, or of the load pair's peer and its driving thread. */
    private long cpuNanos() {
        long total = 0;
        for (Process p : processes) total += p.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
        if (session != null) {
            total += session.process().toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
            Thread t = pairThread;
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            if (t != null && t.isAlive()) total += Math.max(0, mx.getThreadCpuTime(t.getId()));
        }
        return total;
    }

    /** Stops everything it started and waits until it has ended. */
    @Override
    public void close() {
        stopping = true;
        for (Process p : processes) p.destroyForcibly();
        for (Process p : processes) {
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Thread t = pairThread;
        if (t != null) {
            try {
                t.join(Duration.ofSeconds(15).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (session != null) session.close();
        ExitCleanup.forget(this);
    }
}
