package org.ipclab.bench.fanin;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.ipclab.bench.BenchConfig;
import org.ipclab.bench.Mode;
import org.ipclab.bench.Results;
import org.ipclab.core.Capability;
import org.ipclab.core.Channel;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.ExitCleanup;
import org.ipclab.core.IpcException;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.ServerEnd;
import org.ipclab.core.peer.Control;
import org.ipclab.core.peer.Integrity;
import org.ipclab.core.peer.Probe;
import org.ipclab.core.reliable.AckedChannel;

/**
 * Fan-in over a mechanism whose server end has one channel that N clients all write into (FAN_IN
 * without CONCURRENT_SESSIONS: a message queue, one queue and many writers). Each writer
 * ({@link FanInClient} {@code --writer K}) streams probes carrying its number; this process reads
 * the one channel and checks every writer's own sequence numbers ({@link Integrity} per writer).
 * Throughput only: a reply in the shared queue would reach whichever writer reads first.
 *
 * <p>A datagram socket shares its one channel the same way (the server end leaves it unconnected,
 * {@link ChannelSpec#FAN_IN_WRITERS}). Over one that may lose (udp, no RELIABLE), loss under N
 * writers is a finding, not a failure: each writer's count says what it lost, and the reader does
 * not wait for a SINK_END that may be lost itself. Neither end is wrapped in {@link AckedChannel}:
 * it keeps one sequence and one return address per channel, so over a shared socket writer 2's
 * acknowledged message 0 would be dropped as a copy of writer 1's, and no ACK could be addressed to
 * one writer. Nothing here needs one: a writer's own count of what it sent comes back on its stdout
 * pipe ({@code result sent=..}), which loses nothing.
 */
final class SharedChannel {
    private static final Duration SLICE = Duration.ofMillis(100);

    private final MechanismInfo info;
    private final Consumer<List<Process>> onRunning;
    /** The mechanism may lose or reorder (no RELIABLE): counted per writer, not a failure; SINK_END may be lost too. */
    private final boolean lossy;
    private final List<String> clientJvm;

    SharedChannel(MechanismInfo info, Consumer<List<Process>> onRunning, List<String> clientJvm) {
        this.info = info;
        this.onRunning = onRunning;
        this.clientJvm = clientJvm;
        this.lossy = !info.has(Capability.RELIABLE);
    }

    /** The spec the server end is opened with: it tells the mechanism that N writers share its one channel. */
    static ChannelSpec spec(ChannelSpec spec, int clients) {
        return spec.with(ChannelSpec.FAN_IN_WRITERS, Integer.toString(clients));
    }

    Results.Measurement measure(ChannelProvider provider, ChannelSpec spec, int size, int clients, BenchConfig cfg) {
        List<FanIn.Client> all = new ArrayList<>();
        AutoCloseable killAll = () -> all.forEach(c -> c.process.destroyForcibly());
        Map<String, String> parameters = new LinkedHashMap<>();
        Integrity[] integrity = new Integrity[clients + 1];
        long[] announced = new long[clients + 1];
        for (int i = 1; i <= clients; i++) {
            integrity[i] = new Integrity();
            announced[i] = -1;
        }
        ServerEnd server = null;
        Channel channel = null;
        FanIn.Window window = FanIn.Window.NONE;
        SessionCounters counted = new SessionCounters();
        try {
            server = ExitCleanup.register(provider.open(spec(spec, clients)));
            ExitCleanup.register(killAll);
            parameters.putAll(server.effectiveParameters());
            parameters.put("client warm-up", FanInClient.jitWarmUpFor(size) + " messages each before the common window, then --warmup");
            parameters.put("client jvm", FanIn.describeClientJvm(clientJvm));
            for (int i = 1; i <= clients; i++) all.add(FanIn.Client.start(i, FanIn.command(info, server.peerSpec(), Mode.THROUGHPUT, size, cfg, clientJvm, i)));
            // The first writer to attach opens the session; the others write into the same channel.
            channel = server.accept(FanIn.START, Optional.empty()); // plain, not AckedChannel: see the class comment
            parameters.putAll(server.effectiveParameters()); // what accept learnt: the io route, the first writer
            // Read from now on, before the other writers are ready: each one's connect puts its attach
            // message into the one queue, and a queue of mq_maxmsg = 10 holds only ten of them.
            AtomicBoolean writersDone = new AtomicBoolean();
            SessionCounters.Watched ch = counted.watch(channel); // the reader is the server's one working thread
            IOException[] readFailure = new IOException[1];
            Thread reader = new Thread(() -> {
                try {
                    read(ch, integrity, announced, all, writersDone, lossy);
                } catch (IOException e) {
                    readFailure[0] = e;
                } finally {
                    ch.stop(); // every writer's SINK_END is in: no more work to count
                }
            }, "ipclab-fan-in-reader");
            reader.setDaemon(true);
            reader.start();
            FanIn.Client.awaitReady(all);
            List<FanIn.Client> going = all.stream().filter(c -> c.error == null).toList();
            long startAt = System.nanoTime() + cfg.warmup().toNanos();
            for (FanIn.Client c : going) c.go(startAt);
            onRunning.accept(going.stream().map(c -> c.process).toList());
            window = FanIn.overWindow(startAt, cfg, counted);
            long figuresBy = System.nanoTime() + cfg.warmup().plus(cfg.duration()).plus(cfg.timeout()).plus(Duration.ofSeconds(30)).toNanos();
            for (FanIn.Client c : going) c.awaitFigures(figuresBy);
            writersDone.set(true); // the living have said SINK_END before their figures; the dead never will
            reader.join(cfg.timeout().toMillis() + SLICE.toMillis() * 2);
            if (reader.isAlive()) throw new IpcException("the reader did not see every writer's SINK_END within " + cfg.timeout().toSeconds() + " s");
            if (readFailure[0] != null) throw readFailure[0];
            for (FanIn.Client c : going) c.say("bye");
        } catch (IOException | RuntimeException e) {
            return FanIn.failedRow(info, Mode.THROUGHPUT, size, parameters, info.name() + " fan-in with " + clients + " writers: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return FanIn.failedRow(info, Mode.THROUGHPUT, size, parameters, "interrupted");
        } finally {
            FanIn.Client.endAll(all); // "bye" said: they close and exit
            if (channel != null) closeQuietly(channel);
            if (server != null) {
                closeQuietly(server);
                ExitCleanup.forget(server);
            }
            ExitCleanup.forget(killAll);
        }
        if (window.serverCpuNanos() >= 0) parameters.put("cpu", FanIn.CPU_NOTE);
        window = window.settled(counted);
        if (window.countersNote() != null) parameters.put("counters", window.countersNote());
        String together = FanIn.overlap(all.stream().filter(c -> c.figures != null).toList(), cfg);
        if (together != null) parameters.put("windows", together);
        return row(size, clients, parameters, all, integrity, announced, window);
    }

    /**
     * Reads the one channel until every writer still alive (no error once all are ready) has said SINK_END: probes go to their
     * writer's {@link Integrity} (warm-up probes are only checked to be probes), SINK_END [sent, number]
     * closes a writer's count. {@code lossy}: a SINK_END may be lost, so once every writer has handed
     * over its figures (it has sent all it will), the first quiet slice ends the reading as well.
     */
    private static void read(Channel ch, Integrity[] integrity, long[] announced, List<FanIn.Client> writers,
                             AtomicBoolean writersDone, boolean lossy) throws IOException {
        ByteBuffer in = ByteBuffer.allocateDirect(Math.max(64, ch.maxMessageSize())).order(ByteOrder.LITTLE_ENDIAN);
        Probe probe = new Probe();
        while (true) {
            if (writersDone.get() && writers.stream().allMatch(w -> w.error != null || announced[w.number] >= 0)) return;
            in.clear();
            boolean drained = lossy && writersDone.get(); // then a quiet slice means the queue is empty
            int n;
            try {
                n = ch.receive(in, SLICE);
            } catch (org.ipclab.core.IpcTimeoutException e) {
                if (drained) return;
                continue;
            } catch (org.ipclab.core.PeerGoneException e) {
                // Quiet for a slice; or the channel watches the first writer that attached, and that one died:
                // the queue is still there and the other writers go on.
                continue;
            }
            if (n == Channel.END_OF_STREAM) throw new IpcException("a writer ended the shared channel before every writer was counted");
            in.flip();
            if (Control.opcode(in, n) == Control.SINK_END) {
                int w = (int) Control.arg(in, 1);
                if (w >= 1 && w < announced.length) announced[w] = Control.arg(in, 0);
                continue;
            }
            if (n < Probe.MIN_SIZE) continue;
            long tag = Probe.sentNanos(in);
            boolean valid = probe.verify(in, n);
            int w = (int) (tag & FanInClient.CLIENT_MASK);
            if (!valid || w < 1 || w >= integrity.length) {
                // A damaged probe names no trustworthy writer: charged to the first, so that it shows.
                integrity[1].record(Probe.sequence(in), false, n);
                continue;
            }
            if ((tag & FanInClient.WARM_UP) != 0) continue;
            integrity[w].record(Probe.sequence(in), true, n);
        }
    }

    private Results.Measurement row(int size, int clients, Map<String, String> parameters, List<FanIn.Client> all,
                                    Integrity[] integrity, long[] announced, FanIn.Window window) {
        List<Results.ClientResult> per = new ArrayList<>();
        long total = 0;
        for (FanIn.Client c : all) if (c.error == null && c.figures != null) total += integrity[c.number].received();
        long sent = 0, received = 0, lost = 0, reordered = 0, corrupt = 0;
        double rate = 0, seconds = 0;
        int finished = 0;
        boolean bad = false;
        for (FanIn.Client c : all) {
            if (c.error != null || c.figures == null) {
                per.add(new Results.ClientResult(c.number, c.process.pid(), "failed", c.error == null ? "no figures" : c.error,
                        0, 0, null, null, null, null));
                continue;
            }
            finished++;
            Integrity in = integrity[c.number];
            long s = announced[c.number] >= 0 ? announced[c.number] : FanIn.num(c.figures, "sent");
            Results.Integrity i = new Results.Integrity(s, in.received(), in.lost(s), in.reordered(), in.corrupt());
            double secs = Double.parseDouble(c.figures.get("seconds"));
            double r = secs > 0 ? in.received() / secs : 0;
            rate += r;
            seconds = Math.max(seconds, secs);
            sent += s;
            received += in.received();
            lost += i.lost();
            reordered += i.reordered();
            corrupt += i.corrupt();
            // As a pair run counts it (Runner.finish): loss and reordering fail only a mechanism that promises RELIABLE.
            boolean clean = lossy ? i.corrupt() == 0 : i.clean() && in.received() == s;
            bad |= !clean;
            per.add(new Results.ClientResult(c.number, c.process.pid(), clean ? "ok" : "integrity", null, s, secs, r,
                    total > 0 ? (double) in.received() / total : null, i, null));
        }
        List<String> failures = per.stream().filter(p -> "failed".equals(p.status())).map(p -> "client " + p.client() + ": " + p.error()).toList();
        Results.FanIn fanIn = new Results.FanIn(clients, finished, per, FanIn.fairness(per));
        if (finished == 0) {
            return FanIn.failedRow(info, Mode.THROUGHPUT, size, parameters, "no writer of " + clients + " finished: " + String.join("; ", failures)).withFanIn(fanIn);
        }
        double mb = rate * size / 1e6;
        Results.Summary summary = new Results.Summary(null, null, rate, mb, new Results.Spread(rate, rate, rate, 0));
        List<FanIn.Client> done = all.stream().filter(c -> c.error == null && c.figures != null).toList();
        String error = bad ? (lossy ? "a writer's messages were corrupted (see perClient)" : "a writer's messages were lost, reordered or corrupted (see perClient)")
                : failures.isEmpty() ? null : failures.size() + " of " + clients + " clients failed, the others finished: " + String.join("; ", failures);
        return new Results.Measurement(info.name(), Mode.THROUGHPUT.label(), size, bad ? "integrity" : "ok", error, Map.copyOf(parameters),
                List.of(new Results.Repeat(sent, seconds, null, rate, mb)), summary,
                new Results.Integrity(sent, received, lost, reordered, corrupt),
                FanIn.cpu(done, window.serverCpuNanos())).withFanIn(fanIn).withCounters(window.counters(done, Mode.THROUGHPUT));
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // best effort; the exit hook tries again
        }
    }
}
