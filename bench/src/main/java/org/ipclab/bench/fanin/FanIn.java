package org.ipclab.bench.fanin;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.HdrHistogram.Histogram;
import org.ipclab.bench.BenchConfig;
import org.ipclab.bench.Mode;
import org.ipclab.bench.Results;
import org.ipclab.bench.Runner;
import org.ipclab.core.Capability;
import org.ipclab.core.Channel;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.ExitCleanup;
import org.ipclab.core.FileSweeper;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.ServerEnd;
import org.ipclab.core.peer.PeerProtocol;
import org.ipclab.core.reliable.AckedChannel;

/**
 * N→1 fan-in: N client processes ({@link FanInClient}) against ONE server end. This process owns
 * the server end and serves every session as {@code ipc serve} does (echo, or count and check a
 * sink stream per session); each client measures its own round trips or stream over a window that
 * starts for all at once ({@code go}), and hands back its figures. Per client: messages, share,
 * integrity (its own sequence numbers, checked by its session on arrival), latency; in all: the
 * histograms merged exactly (HdrHistogram add), the sum of the clients' rates, min/max share.
 *
 * <p>A client that dies mid-run (SIGKILL) fails that client, with its exit named; the others finish.
 * Every client process is killed and the server end's objects removed on return, failure or exit.
 */
public final class FanIn {
    /**
     * N JVMs starting and warming up at once on a small machine take a while: the clients not ready
     * when none has got ready for this long fail (64 tcp clients' 20,000 warm-up round trips each
     * took longer than 90 s in all, yet every client kept getting ready).
     */
    static final Duration START = Duration.ofSeconds(90);
    private static final Duration FIGURES_SLACK = Duration.ofSeconds(30);
    /**
     * The client JVMs' own flags unless told otherwise ({@code --client-jvm}): C1 only and the serial
     * collector. N JVMs on a few CPUs each start C2 compiler threads and G1's parallel and concurrent
     * GC threads, which compete with every client's and the server's work for the CPU; a client's
     * loop waits in system calls, where C2's code buys nothing. On a 2-CPU machine, 64 clients' round
     * trips went from 0.09 (unix) and 0.10 (tcp) of the C fan-in's rate with the JVM's defaults to
     * 0.32 and 0.25 with these (docs/scaling.md has the runs).
     */
    public static final List<String> CLIENT_JVM = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private List<String> clientJvm = CLIENT_JVM;

    private Consumer<List<Process>> onRunning = p -> { };
    private Consumer<ChannelSpec> onOpened = s -> { };
    private java.util.function.BiConsumer<String, Histogram> histogramSink = (label, h) -> { };

    /** Receives the merged latency histogram of every fan-in row, labelled e.g. {@code unix-fan-in-4-latency-64}. */
    public FanIn onHistogram(java.util.function.BiConsumer<String, Histogram> sink) {
        this.histogramSink = sink;
        return this;
    }

    /** The client JVMs' flags, after this JVM's own (so they win); empty: this JVM's flags alone. */
    public FanIn clientJvm(List<String> flags) {
        this.clientJvm = List.copyOf(flags);
        return this;
    }

    /** How the client JVMs run, as echoed in the results. */
    static String describeClientJvm(List<String> flags) {
        return flags.isEmpty() ? "this JVM's flags only (--client-jvm '')" : String.join(" ", flags) + " after this JVM's flags";
    }

    /** Called with the server end's peer spec before any client starts (tests let strangers in there). */
    FanIn onOpened(Consumer<ChannelSpec> hook) {
        this.onOpened = hook;
        return this;
    }

    /** Called with the clients' processes once they have been told to go (tests kill one there). */
    FanIn onRunning(Consumer<List<Process>> hook) {
        this.onRunning = hook;
        return this;
    }

    /** Why a mechanism cannot be measured N→1, from its description; empty when it can. */
    public static Optional<String> cannotFanIn(MechanismInfo info) {
        if (info.has(Capability.FAN_IN)) return Optional.empty();
        if (info.has(Capability.RELATED_PROCESSES_ONLY)) {
            return Optional.of("only a parent and the child it starts can share it (inherited descriptors): N unrelated clients cannot reach one server end");
        }
        if (info.has(Capability.NOTIFICATION)) {
            return Optional.of("a notification channel: its messages carry a few bytes, no room for a client's sequence numbers");
        }
        if (info.has(Capability.BUSY_WAITS) || !info.has(Capability.CONCURRENT_SESSIONS)) {
            return Optional.of("its server end serves one session at a time (no CONCURRENT_SESSIONS, no FAN_IN):"
                    + " N clients cannot each hold a session with it at once");
        }
        return Optional.of("it does not promise FAN_IN (N clients told apart by one server end)");
    }

    /**
     * Why latency cannot be measured N→1 on a mechanism that can fan in, or empty. Without
     * CONCURRENT_SESSIONS the N clients write into the server's one channel (a queue): a reply would
     * reach whichever client reads first, so there is no return path to one client.
     */
    public static Optional<String> noLatency(MechanismInfo info) {
        if (info.has(Capability.CONCURRENT_SESSIONS)) return Optional.empty();
        return Optional.of("its N clients write into the server's one channel: a reply would reach whichever client reads"
                + " first, so there is no return path to one client; throughput only");
    }

    /**
     * Why N writers cannot send {@code size}-byte messages into the server's one shared channel, or
     * empty. The limit is the one the mechanism describes for the spec as {@link SharedChannel} opens
     * it (a FIFO: a frame is one atomic write of at most PIPE_BUF bytes); its description says why.
     */
    public static Optional<String> tooLargeForWriters(ChannelProvider provider, ChannelSpec spec, int size, int clients) {
        MechanismInfo shared = provider.describe(SharedChannel.spec(spec, clients));
        if (shared.has(Capability.CONCURRENT_SESSIONS) || size <= shared.maxMessageSize()) return Optional.empty();
        return Optional.of(shared.name() + " takes messages of at most " + shared.maxMessageSize() + " bytes from N writers into its one channel,"
                + " " + size + " asked (" + shared.description() + ")");
    }

    /** N clients × one mode × one size; the measurement's summary is the aggregate, {@code fanIn} the rest. */
    public Results.Measurement measure(ChannelProvider provider, ChannelSpec spec, Mode mode, int size, int clients, BenchConfig cfg) {
        MechanismInfo info = provider.describe(spec);
        String why = cannotFanIn(info).orElse(null);
        if (why != null) throw new IllegalArgumentException(info.name() + ": " + why);
        if (!info.has(Capability.CONCURRENT_SESSIONS)) {
            if (mode == Mode.LATENCY) throw new IllegalArgumentException(info.name() + ": " + noLatency(info).orElseThrow());
            tooLargeForWriters(provider, spec, size, clients).ifPresent(w -> {
                throw new IllegalArgumentException(w);
            });
            return new SharedChannel(info, onRunning, clientJvm).measure(provider, spec, size, clients, cfg);
        }
        List<Client> all = new ArrayList<>();
        ExecutorService sessions = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "ipclab-fan-in-session");
            t.setDaemon(true);
            return t;
        });
        AutoCloseable killAll = () -> all.forEach(c -> c.process.destroyForcibly());
        ServerEnd server = null;
        Map<String, String> parameters = new LinkedHashMap<>();
        Histogram merged = Runner.newHistogram();
        AtomicBoolean over = new AtomicBoolean();
        Window window = Window.NONE;
        SessionCounters counted = new SessionCounters();
        try {
            server = ExitCleanup.register(provider.open(spec));
            ExitCleanup.register(killAll);
            parameters.putAll(server.effectiveParameters());
            parameters.put("client warm-up", FanInClient.jitWarmUpFor(size) + " messages each before the common window, then --warmup");
            parameters.put("client jvm", describeClientJvm(clientJvm));
            onOpened.accept(server.peerSpec());
            ServerEnd end = server;
            // A ready client's session waits, quiet, until every client is ready: at most START for each.
            Duration idle = START.multipliedBy(clients).plus(cfg.warmup()).plus(cfg.duration()).plus(cfg.timeout());
            Thread acceptor = new Thread(() -> acceptAll(end, info, clients, idle, sessions, over, counted), "ipclab-fan-in-accept");
            acceptor.setDaemon(true);
            acceptor.start();
            List<String> command = command(info, server.peerSpec(), mode, size, cfg, clientJvm, 0);
            for (int i = 0; i < clients; i++) all.add(Client.start(i + 1, command));
            Client.awaitReady(all);
            List<Client> going = all.stream().filter(c -> c.error == null).toList();
            long startAt = System.nanoTime() + cfg.warmup().toNanos();
            for (Client c : going) c.go(startAt);
            onRunning.accept(going.stream().map(c -> c.process).toList());
            window = overWindow(startAt, cfg, counted);
            long figuresBy = System.nanoTime() + cfg.warmup().plus(cfg.duration()).plus(cfg.timeout()).plus(FIGURES_SLACK).toNanos();
            for (Client c : going) c.awaitFigures(figuresBy);
        } catch (IOException | RuntimeException e) {
            return failedRow(info, mode, size, parameters, info.name() + " fan-in with " + clients + " clients: " + e.getMessage());
        } finally {
            over.set(true);
            Client.endAll(all);
            if (server != null) {
                try {
                    server.close();
                } catch (IOException ignored) {
                    // best effort; the exit hook tries again
                }
                ExitCleanup.forget(server);
            }
            sessions.shutdownNow();
            ExitCleanup.forget(killAll);
        }
        if (window.serverCpuNanos() >= 0) parameters.put("cpu", CPU_NOTE);
        window = window.settled(counted);
        if (window.countersNote() != null) parameters.put("counters", window.countersNote());
        String together = overlap(all.stream().filter(c -> c.figures != null).toList(), cfg);
        if (together != null) parameters.put("windows", together);
        Results.Measurement m = row(info, mode, size, clients, parameters, all, merged, window);
        if (mode == Mode.LATENCY && merged.getTotalCount() > 0) histogramSink.accept(info.name() + "-fan-in-" + clients + "-latency-" + size, merged);
        return m;
    }

    /**
     * Accepts sessions and serves each on its own thread, as {@code ipc serve} does, until the run is
     * over ({@code over}, then the server end closes). Not a fixed count of N: whoever else connects
     * (a program ipclab did not write, silent or speaking garbage; a refused second user) must not
     * take a client's place, so a failed accept or a stranger's session ends only itself. At most
     * {@code 2N + 16} sessions live at once: beyond, a newcomer is closed at once.
     */
    private static void acceptAll(ServerEnd server, MechanismInfo info, int clients, Duration idle, ExecutorService sessions,
                                  AtomicBoolean over, SessionCounters counters) {
        PeerProtocol protocol = PeerProtocol.of(info);
        AtomicInteger live = new AtomicInteger();
        int most = 2 * clients + 16;
        while (!over.get()) {
            Channel ch;
            try {
                ch = counters.watch(AckedChannel.over(server.accept(START, Optional.empty()), info));
            } catch (IOException | RuntimeException e) {
                // Refused, timed out, or the server end closed (then over is set). A pause, so that an
                // accept failing at once again and again cannot spin on a CPU the clients measure on.
                java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
                continue;
            }
            if (live.incrementAndGet() > most) {
                live.decrementAndGet();
                closeQuietly(ch);
                continue;
            }
            sessions.execute(() -> {
                try (ch) {
                    protocol.serve(ch, idle);
                } catch (IOException | RuntimeException ignored) {
                    // a client that died ends its own session; its process tells the runner why
                } finally {
                    live.decrementAndGet();
                }
            });
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // a stranger's channel: nothing to report
        }
    }

    /**
     * What the server samples over the clients' common window, by the clock (from go + --warmup, for
     * --duration): this JVM's CPU (-1: unknown), and the window's edges for its session threads to
     * read their own counters at ({@link SessionCounters}); the clients' counters come with their
     * figures ({@link Client#counters()}), each client's measuring thread having read its own /proc
     * at the edges of its own window. From /proc only: perf on N client JVMs would open
     * N × threads × events descriptors.
     */
    record Window(long serverCpuNanos, long spanNanos, SessionCounters.Counted server) {
        static final Window NONE = new Window(-1, 0, null);

        /** The same window once the sessions have settled their counts. */
        Window settled(SessionCounters sessions) {
            return spanNanos <= 0 ? this : new Window(serverCpuNanos, spanNanos, sessions.settle(Duration.ofSeconds(2)));
        }

        /** How the row's counters were read, and what was left out of them. */
        String countersNote() {
            return server == null ? null : COUNTERS_NOTE + (server.note() == null ? "" : "; " + server.note());
        }

        /**
         * Every process's totals per message of all clients over its own span: the clients' summed
         * rate times the span's length (each client measured its own window, the server the common
         * one; the rate is steady inside it), so that the groups add up to the cost of one message.
         * {@code messages} is then the count over the common window. Null when nothing was counted.
         */
        Results.Counters counters(List<Client> finished, Mode mode) {
            if (server == null) return null;
            double rate = 0;
            for (Client c : finished) {
                double seconds = Double.parseDouble(c.figures.get("seconds"));
                if (seconds > 0) rate += num(c.figures, "messages") / seconds;
            }
            String per = mode == Mode.LATENCY ? "round trip" : "message";
            long messages = Math.round(rate * spanNanos / 1e9);
            List<Results.CounterGroup> groups = new ArrayList<>(server.totals().per(messages, per).groups());
            for (Client c : finished) {
                Results.Counters own = c.counters();
                double seconds = Double.parseDouble(c.figures.get("seconds"));
                if (own != null) groups.addAll(own.per(Math.round(rate * seconds), per).groups());
                else groups.add(new Results.CounterGroup("client " + c.number, "work", c.process.pid(), List.of(), null, List.of(),
                        Map.of("all", Results.Figure.unavailable("the client's result line", "the client sent no counters"))));
            }
            return new Results.Counters(messages, per, groups, server.totals().perf());
        }
    }

    static final String COUNTERS_NOTE = "each process's working thread reads its own /proc/PID/task/TID at the edges of its window"
            + " (the server's session threads at the common window's, each client's measuring thread at its own), so the counts"
            + " bracket the work to the message; the JVMs' own threads (GC, JIT) are not read; per message of all clients";

    /**
     * Samples this JVM's CPU over the window by the clock, and opens and closes the window for the
     * session threads' counters; returns when the window is over.
     */
    static Window overWindow(long start, BenchConfig cfg, SessionCounters sessions) {
        if (cfg.count() > 0) return Window.NONE;
        long end = start + cfg.duration().toNanos();
        try {
            if (!sleepUntil(start)) return Window.NONE;
            sessions.open();
            long before = Runner.processCpuNanos();
            if (!sleepUntil(end)) return Window.NONE;
            long used = Runner.processCpuNanos() - before;
            return new Window(before > 0 && used > 0 ? used : -1, end - start, null);
        } finally {
            sessions.close();
        }
    }

    /**
     * How far the finished clients' measured windows lay together, from the edges each reports on the
     * machine's one monotonic clock; null when none reported them. The rates are summed over windows
     * that must overlap: a client starting late measures while others have stopped.
     */
    static String overlap(List<Client> finished, BenchConfig cfg) {
        long firstFrom = Long.MAX_VALUE, lastFrom = Long.MIN_VALUE, firstTo = Long.MAX_VALUE;
        int n = 0;
        for (Client c : finished) {
            String w = c.figures.get("window");
            if (w == null || !w.contains(",")) continue;
            long from = Long.parseLong(w.substring(0, w.indexOf(','))), to = Long.parseLong(w.substring(w.indexOf(',') + 1));
            if (from < 0 || to < from) continue;
            firstFrom = Math.min(firstFrom, from);
            lastFrom = Math.max(lastFrom, from);
            firstTo = Math.min(firstTo, to);
            n++;
        }
        if (n == 0) return null;
        return String.format(Locale.ROOT, "the %d clients' measured windows started within %.3f s of each other; all %d measured together for %.3f s of --duration %.3f s",
                n, (lastFrom - firstFrom) / 1e9, n, Math.max(0, firstTo - lastFrom) / 1e9, cfg.duration().toNanos() / 1e9);
    }

    static final String CPU_NOTE = "server: this JVM over the clients' common window, by the clock (from go + --warmup, for --duration);"
            + " clients: each client JVM over its own measured window; both per message of all clients";

    /**
     * CPU per message of the finished clients' messages: the server's ({@link #overWindow},
     * -1 unknown) and the clients' summed (each says {@code cpu_us} per message of its window).
     */
    static Results.Cpu cpu(List<Client> finished, long serverCpuNanos) {
        double clientsUs = 0;
        long messages = 0;
        boolean everyClient = true;
        for (Client c : finished) {
            String us = c.figures.get("cpu_us");
            long n = num(c.figures, "messages");
            messages += n;
            if (us == null || us.equals("-")) everyClient = false;
            else clientsUs += Double.parseDouble(us) * n;
        }
        if (messages == 0) return new Results.Cpu(null, null);
        return new Results.Cpu(serverCpuNanos > 0 ? serverCpuNanos / 1e3 / messages : null, everyClient ? clientsUs / messages : null);
    }

    private static boolean sleepUntil(long nanos) {
        long left;
        while ((left = nanos - System.nanoTime()) > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(left);
            if (Thread.currentThread().isInterrupted()) return false;
        }
        return true;
    }

    private static Results.Measurement row(MechanismInfo info, Mode mode, int size, int clients, Map<String, String> parameters,
                                           List<Client> all, Histogram merged, Window window) {
        List<Client> finished = all.stream().filter(c -> c.error == null && c.figures != null).toList();
        long total = finished.stream().mapToLong(c -> c.counted(mode)).sum();
        List<Results.ClientResult> per = new ArrayList<>();
        long sent = 0, received = 0, lost = 0, reordered = 0, corrupt = 0;
        double rate = 0;
        boolean bad = false;
        for (Client c : all) {
            if (c.error != null || c.figures == null) {
                per.add(new Results.ClientResult(c.number, c.process.pid(), "failed", c.error == null ? "no figures" : c.error,
                        0, 0, null, null, null, null));
                continue;
            }
            Map<String, String> f = c.figures;
            Results.Integrity integrity = new Results.Integrity(num(f, "sent"), num(f, "received"), num(f, "lost"), num(f, "reordered"), num(f, "corrupt"));
            Histogram h = c.histogram();
            if (h != null) merged.add(h);
            double seconds = Double.parseDouble(f.get("seconds"));
            double clientRate = seconds > 0 ? c.counted(mode) / seconds : 0;
            rate += clientRate;
            sent += integrity.sent();
            received += integrity.received();
            lost += integrity.lost();
            reordered += integrity.reordered();
            corrupt += integrity.corrupt();
            String status = f.get("status");
            bad |= !"ok".equals(status);
            per.add(new Results.ClientResult(c.number, c.process.pid(), status, null, num(f, "messages"), seconds, clientRate,
                    total > 0 ? (double) c.counted(mode) / total : null, integrity, h == null ? null : latencyOf(h)));
        }
        List<String> failures = per.stream().filter(p -> "failed".equals(p.status()))
                .map(p -> "client " + p.client() + ": " + p.error()).toList();
        Results.Fairness fairness = fairness(per);
        Results.FanIn fanIn = new Results.FanIn(clients, finished.size(), per, fairness);
        if (finished.isEmpty()) {
            return failedRow(info, mode, size, parameters, "no client of " + clients + " finished: " + String.join("; ", failures)).withFanIn(fanIn);
        }
        Results.Integrity integrity = new Results.Integrity(sent, received, lost, reordered, corrupt);
        Results.Summary summary;
        Results.Repeat repeat;
        double seconds = finished.stream().mapToDouble(c -> Double.parseDouble(c.figures.get("seconds"))).max().orElse(0);
        if (mode == Mode.LATENCY) {
            Results.Latency l = latencyOf(merged);
            summary = new Results.Summary(l, new Results.Spread(l.p50Us(), l.p50Us(), l.p50Us(), 0), null, null, null,
                    null, null, null, List.of());
            repeat = new Results.Repeat(finished.stream().mapToLong(c -> num(c.figures, "messages")).sum(), seconds, l, rate, null);
        } else {
            double mb = rate * size / 1e6;
            summary = new Results.Summary(null, null, rate, mb, new Results.Spread(rate, rate, rate, 0));
            repeat = new Results.Repeat(sent, seconds, null, rate, mb);
        }
        String status = bad ? "integrity" : "ok";
        String error = bad ? "a client's messages were lost, reordered or corrupted (see perClient)"
                : failures.isEmpty() ? null : failures.size() + " of " + clients + " clients failed, the others finished: " + String.join("; ", failures);
        return new Results.Measurement(info.name(), mode.label(), size, status, error, Map.copyOf(parameters), List.of(repeat),
                summary, integrity, cpu(finished, window.serverCpuNanos())).withFanIn(fanIn).withCounters(window.counters(finished, mode));
    }

    static Results.Fairness fairness(List<Results.ClientResult> per) {
        double min = Double.MAX_VALUE, max = 0;
        for (Results.ClientResult c : per) {
            if (c.share() == null) continue;
            min = Math.min(min, c.share());
            max = Math.max(max, c.share());
        }
        if (max == 0) return null;
        return new Results.Fairness(min, max, min > 0 ? max / min : null);
    }

    static Results.Measurement failedRow(MechanismInfo info, Mode mode, int size, Map<String, String> parameters, String error) {
        return new Results.Measurement(info.name(), mode.label(), size, "failed", error, Map.copyOf(parameters), List.of(), null, null, null);
    }

    static long num(Map<String, String> f, String key) {
        return Long.parseLong(f.get(key));
    }

    static Results.Latency latencyOf(Histogram h) {
        if (h.getTotalCount() == 0) return new Results.Latency(0, 0, 0, 0, 0, 0, 0);
        return new Results.Latency(h.getTotalCount(), h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(90) / 1e3,
                h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3, h.getMean() / 1e3);
    }

    /**
     * java [this JVM's flags] [the mechanism's peer flags] [clientJvm] -cp [this class path] FanInClient --mechanism ...;
     * {@code writer} &gt; 0: that client's number, for a writer into a shared channel ({@link SharedChannel}).
     */
    static List<String> command(MechanismInfo info, ChannelSpec peerSpec, Mode mode, int size, BenchConfig cfg, List<String> clientJvm, int writer) {
        List<String> cmd = new ArrayList<>();
        cmd.add(org.ipclab.core.peer.PeerLauncher.javaBinary());
        cmd.addAll(clientJvmFlags(ManagementFactory.getRuntimeMXBean().getInputArguments(), info.peerJvmFlags(), clientJvm));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(FanInClient.class.getName());
        cmd.add("--mechanism");
        cmd.add(peerSpec.mechanism());
        peerSpec.options().forEach((k, v) -> {
            cmd.add("--opt");
            cmd.add(k + "=" + v);
        });
        cmd.addAll(List.of("--mode", mode.label(), "--size", Integer.toString(size),
                "--duration", cfg.duration().toMillis() + "ms", "--jit-warm-up", Long.toString(FanInClient.jitWarmUpFor(size)),
                "--timeout", cfg.timeout().toMillis() + "ms"));
        if (writer > 0) cmd.addAll(List.of("--writer", Integer.toString(writer)));
        return cmd;
    }

    /**
     * A client JVM's flags: this JVM's (no debugger or agent: a port or an agent is this JVM's own),
     * the mechanism's peer flags, then {@code clientJvm}, which win. A collector chosen in
     * {@code clientJvm} replaces one chosen for this JVM: the JVM refuses to start with two
     * ("Multiple garbage collectors selected").
     */
    static List<String> clientJvmFlags(List<String> inherited, List<String> peerFlags, List<String> clientJvm) {
        boolean choosesGc = clientJvm.stream().anyMatch(FanIn::selectsCollector);
        List<String> flags = new ArrayList<>();
        for (String arg : inherited) {
            if (arg.startsWith("-agentlib:jdwp") || arg.startsWith("-Xrunjdwp") || arg.startsWith("-javaagent")) continue;
            if (choosesGc && selectsCollector(arg)) continue;
            flags.add(arg);
        }
        for (String flag : peerFlags) if (!flags.contains(flag)) flags.add(flag);
        flags.addAll(clientJvm);
        return flags;
    }

    private static boolean selectsCollector(String flag) {
        return flag.matches("-XX:\\+Use\\w*GC");
    }

    /** One client process and what it said. */
    static final class Client {
        final int number;
        final Process process;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final Deque<String> stderr = new ArrayDeque<>();
        volatile String error; // read by the shared channel's reader thread
        Map<String, String> figures;

        private Client(int number, Process process) {
            this.number = number;
            this.process = process;
        }

        void say(String line) {
            try {
                OutputStream in = process.getOutputStream();
                in.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
                in.flush();
            } catch (IOException ignored) {
                // gone: its exit says why
            }
        }

        static Client start(int number, List<String> command) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.redirectError(ProcessBuilder.Redirect.PIPE);
            Client c = new Client(number, pb.start());
            c.follow();
            return c;
        }

        private void follow() {
            Thread out = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) lines.add(line);
                } catch (IOException ignored) {
                    // the client is gone
                }
            }, "ipclab-fan-in-client-" + number);
            Thread err = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        if (line.isBlank() || line.startsWith("WARNING:")) continue;
                        synchronized (stderr) {
                            if (stderr.size() == 3) stderr.removeFirst();
                            stderr.addLast(line.strip());
                        }
                    }
                } catch (IOException ignored) {
                    // the client is gone
                }
            }, "ipclab-fan-in-client-err-" + number);
            out.setDaemon(true);
            err.setDaemon(true);
            out.start();
            err.start();
        }

        /**
         * Waits for every client's {@code ready} while they make progress: the run gives up on the
         * rest once none has got ready for {@link #START}. A client that says anything else, or
         * exits, fails at once.
         */
        static void awaitReady(List<Client> all) {
            List<Client> waiting = new ArrayList<>(all);
            long last = System.nanoTime();
            try {
                while (!waiting.isEmpty()) {
                    for (java.util.Iterator<Client> it = waiting.iterator(); it.hasNext(); ) {
                        Client c = it.next();
                        String line = c.lines.poll();
                        if (line == null && c.process.isAlive()) continue;
                        if (FanInClient.READY.equals(line)) last = System.nanoTime();
                        else c.fail(line == null ? "exited before it was ready" : "said \"" + line + "\" instead of " + FanInClient.READY);
                        it.remove();
                    }
                    if (System.nanoTime() - last > START.toNanos()) {
                        for (Client c : waiting) c.fail("did not get ready: no client got ready for " + START.toSeconds() + " s");
                        return;
                    }
                    Thread.sleep(20);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                for (Client c : waiting) c.fail("was not waited for (interrupted)");
            }
        }

        /** "go T": warm up until T, then measure (T on System.nanoTime's clock, CLOCK_MONOTONIC on Linux: one for every process). */
        void go(long startAt) {
            try {
                OutputStream in = process.getOutputStream();
                in.write((FanInClient.GO + " " + startAt + "\n").getBytes(StandardCharsets.US_ASCII));
                in.flush();
            } catch (IOException e) {
                fail("could not be told to start");
            }
        }

        void awaitFigures(long deadline) {
            String line = next(deadline);
            if (line == null || !line.startsWith(FanInClient.RESULT + " ")) {
                fail("gave no figures");
                return;
            }
            Map<String, String> f = new LinkedHashMap<>();
            for (String kv : line.substring(FanInClient.RESULT.length() + 1).split(" ")) {
                int eq = kv.indexOf('=');
                if (eq > 0) f.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            figures = f;
        }

        /** The next stdout line, or null when the client exited or the deadline passed. */
        private String next(long deadline) {
            try {
                while (true) {
                    String line = lines.poll(50, TimeUnit.MILLISECONDS);
                    if (line != null) return line;
                    if (!process.isAlive() && lines.isEmpty()) {
                        process.waitFor(200, TimeUnit.MILLISECONDS);
                        return lines.poll();
                    }
                    if (System.nanoTime() - deadline > 0) return null;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }

        /** Names what happened to the process: "client 3 (pid 123) was killed by signal 9 (SIGKILL)". */
        private void fail(String what) {
            if (error != null) return;
            String who = "client " + number + " (pid " + process.pid() + ")";
            try {
                process.waitFor(300, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (process.isAlive()) {
                error = who + " " + what;
                return;
            }
            int code = process.exitValue();
            String exit = code > 128 && code < 160 ? "was killed by signal " + (code - 128) + (code - 128 == 9 ? " (SIGKILL)" : code - 128 == 15 ? " (SIGTERM)" : "")
                    : "exited with code " + code;
            String said;
            synchronized (stderr) {
                said = String.join(" | ", stderr);
            }
            error = who + " " + exit + (said.isEmpty() ? "" : "; it said: " + said);
        }

        /** The client's own counters over its own window (totals), its groups named "client N"; null when it sent none. */
        Results.Counters counters() {
            String b = figures.get("counters");
            if (b == null || b.equals("-")) return null;
            try {
                Results.Counters c = org.ipclab.bench.ResultWriters.mapper().readValue(Base64.getDecoder().decode(b), Results.Counters.class);
                List<Results.CounterGroup> named = new ArrayList<>();
                for (Results.CounterGroup g : c.groups()) {
                    named.add(new Results.CounterGroup("client " + number, g.threads(), g.pid(), g.tids(), g.cpusAllowed(), g.ranOn(), g.figures()));
                }
                return new Results.Counters(c.messages(), c.per(), named, c.perf());
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalStateException("client " + number + " sent counters that do not decode: " + e.getMessage());
            }
        }

        Histogram histogram() {
            String h = figures.get("hist");
            if (h == null || h.equals("-")) return null;
            try {
                return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(h)), 1);
            } catch (java.util.zip.DataFormatException | IllegalArgumentException e) {
                throw new IllegalStateException("client " + number + " sent a histogram that does not decode: " + e.getMessage());
            }
        }

        /** What this client got through: round trips in latency mode, messages the server received in throughput mode. */
        long counted(Mode mode) {
            return mode == Mode.LATENCY ? num(figures, "messages") : num(figures, "received");
        }

        /**
         * Lets every client go (end of file on its stdin: it stops its session and exits), waits 5 s
         * for them all, kills the rest, and removes what a killed one could not: its own named
         * objects (a unix-dgram client's socket directory).
         */
        static void endAll(List<Client> clients) {
            for (Client c : clients) {
                try {
                    c.process.getOutputStream().close();
                } catch (IOException ignored) {
                    // gone already
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            try {
                for (Client c : clients) c.process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                for (Client c : clients) if (c.process.isAlive()) c.process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                clients.forEach(c -> c.process.destroyForcibly());
            }
            for (Client c : clients) if (!c.process.isAlive()) FileSweeper.removeOwnLeftoversOf(c.process.pid());
        }
    }

}
