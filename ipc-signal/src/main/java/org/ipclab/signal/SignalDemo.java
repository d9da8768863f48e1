package org.ipclab.signal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jnr.constants.platform.Signal;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

import org.ipclab.core.BadInputException;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.Demo;
import org.ipclab.core.peer.PeerLauncher;
import org.ipclab.core.peer.PeerSession;

/**
 * {@code ipc demo signal}: the only asynchronous IPC, and how the JVM guards it.
 *
 * <ol>
 * <li>Three dispositions on a child process: default (it dies), ignore (nothing happens), catch
 *     (a handler runs) — and the kernel's view in {@code /proc/<pid>/status}.</li>
 * <li>Which signals this JVM lets an application handle, and which it keeps, and why.</li>
 * <li>SIGSTOP and SIGKILL cannot be caught or ignored: a child that ignores TERM and catches USR1
 *     is stopped (state T), continued, and killed all the same.</li>
 * <li>Standard signals are not queued: 10,000 SIGUSR1 sent as fast as possible, far fewer handled.</li>
 * <li>Real-time signals are: 10,000 SIGRTMIN with a payload, every one received, in order.</li>
 * <li>What a delivery costs: JVM handler (a new thread per signal) vs sigtimedwait.</li>
 * </ol>
 * Signals go only to children this demo started; every child is gone when it ends.
 */
public final class SignalDemo implements Demo {
    /** Loaded when the demo runs, not when it is listed: listing must not load native code. */
    private static final class Native {
        static final POSIX POSIX_ = POSIXFactory.getNativePOSIX();
    }
    private final List<Process> children = new ArrayList<>();
    private int failures;

    @Override
    public String name() {
        return "signal";
    }

    @Override
    public String summary() {
        return "signals: dispositions, what the JVM keeps, SIGKILL/SIGSTOP, lost standard vs queued real-time signals, handler cost";
    }

    @Override
    public List<String> usage() {
        return List.of("ipc demo signal [--quick]    --quick: 1,000 instead of 10,000 signals and fewer round trips");
    }

    @Override
    public int run(List<String> args, PrintStream out) throws Exception {
        boolean quick = false;
        for (String a : args) {
            if (a.equals("--quick")) quick = true;
            else throw new BadInputException("ipc demo signal: unknown argument " + a + " (takes --quick)");
        }
        failures = 0;
        try {
            dispositions(out);
            jvmTable(out);
            killAndStop(out);
            standardNotQueued(out, quick ? 1_000 : 10_000);
            realTimeQueued(out, quick ? 1_000 : 10_000);
            cost(out, quick);
        } finally {
            for (Process p : children) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        }
        out.println();
        out.println(failures == 0 ? "Every step showed what it should." : failures + " step(s) did not show what they should.");
        return failures == 0 ? 0 : 1;
    }

    // ------------------------------------------------------------------ 1

    private void dispositions(PrintStream out) throws Exception {
        out.println("== 1. Three dispositions: default, ignore, catch (signal(7)) ==");
        String[][] cases = {
                {"default", "exec sleep 30"},
                {"ignore", "trap '' USR1; exec sleep 30"},
                {"catch", "trap 'echo \"  child: handler ran for SIGUSR1\"' USR1; while :; do sleep 0.05; done"}};
        for (String[] c : cases) {
            Process p = start(List.of("/bin/sh", "-c", c[1]));
            Thread.sleep(300);
            out.printf("  %-8s child pid %d: %s%n", c[0], p.pid(), masks(p.pid()));
            kill(p, Signal.SIGUSR1);
            boolean exited = p.waitFor(1, TimeUnit.SECONDS);
            String after = exited ? "died, " + exit(p.exitValue()) : "still running";
            out.println("           kill(" + p.pid() + ", SIGUSR1) -> " + after);
            if (c[0].equals("catch")) {
                BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                String line = r.ready() ? r.readLine() : null;
                if (line != null) out.println(line);
            }
            boolean expected = c[0].equals("default") ? exited && p.exitValue() == 128 + 10 : !exited;
            check(out, expected, c[0].equals("default") ? "default action of SIGUSR1: terminate"
                    : c[0].equals("ignore") ? "an ignored signal is discarded by the kernel" : "a caught signal runs the handler, the process lives on");
            p.destroyForcibly();
        }
        out.println();
    }

    /** SigIgn and SigCgt from /proc/<pid>/status, decoded. */
    private static String masks(long pid) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("SigIgn:") || line.startsWith("SigCgt:")) {
                long bits = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                List<String> names = new ArrayList<>();
                for (int s = 1; s <= 31; s++) if ((bits & (1L << (s - 1))) != 0) names.add(name(s));
                sb.append(line, 0, 7).append(' ').append(names.isEmpty() ? "-" : String.join(",", names)).append("  ");
            }
        }
        return sb.toString().trim();
    }

    // ------------------------------------------------------------------ 2

    private void jvmTable(PrintStream out) {
        out.println("== 2. What this JVM lets an application handle (sun.misc.Signal.handle) ==");
        String[] all = {"HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "CHLD", "CONT", "STOP", "TSTP", "WINCH"};
        List<String> ours = new ArrayList<>();
        for (String n : all) {
            String verdict;
            try {
                sun.misc.Signal s = new sun.misc.Signal(n);
                sun.misc.SignalHandler old = sun.misc.Signal.handle(s, x -> { });
                sun.misc.Signal.handle(s, old); // put the JVM's (or default) handler back at once
                verdict = "application may catch it";
                ours.add(n);
            } catch (IllegalArgumentException e) {
                String why = n.equals("KILL") || n.equals("STOP") ? "nobody can: the kernel acts on it directly" : SignalFacts.jvmUse(n);
                verdict = "refused (" + e.getMessage() + "): " + why;
            }
            out.printf("  SIG%-6s %2d  %s%n", n, number(n), verdict);
        }
        out.println("  Real-time signals (SIGRTMIN.." + "SIGRTMAX = " + SigLib.sigrtmin() + ".." + SigLib.libc().__libc_current_sigrtmax()
                + ") are unknown to sun.misc.Signal; ipclab takes them with sigtimedwait instead.");
        out.println("  With -Xrs the JVM installs none of its own handlers (no thread dumps on QUIT, no shutdown hooks on INT/TERM/HUP).");
        check(out, ours.contains("USR1") && !ours.contains("QUIT") && !ours.contains("KILL"), "USR1 is ours; QUIT stays the JVM's; KILL nobody's");
        out.println();
    }

    // ------------------------------------------------------------------ 3

    private void killAndStop(PrintStream out) throws Exception {
        out.println("== 3. SIGSTOP and SIGKILL can be neither caught nor ignored ==");
        Process p = start(List.of("/bin/sh", "-c", "trap '' TERM INT STOP; trap 'echo caught' USR1; while :; do sleep 0.05; done"));
        Thread.sleep(300);
        out.println("  child pid " + p.pid() + " ignores TERM and INT, catches USR1, and asked to ignore STOP (the shell cannot): " + masks(p.pid()));
        kill(p, Signal.SIGSTOP);
        char stopped = waitState(p.pid(), 'T');
        out.println("  kill(SIGSTOP) -> /proc/" + p.pid() + "/stat state " + stopped + " (T = stopped)");
        kill(p, Signal.SIGCONT);
        char running = waitState(p.pid(), 'S');
        out.println("  kill(SIGCONT) -> state " + running);
        kill(p, Signal.SIGTERM);
        boolean termKilled = p.waitFor(300, TimeUnit.MILLISECONDS);
        out.println("  kill(SIGTERM) -> " + (termKilled ? "died?!" : "ignored, still running"));
        kill(p, Signal.SIGKILL);
        boolean killed = p.waitFor(2, TimeUnit.SECONDS);
        out.println("  kill(SIGKILL) -> " + (killed ? "died, " + exit(p.exitValue()) : "still running?!"));
        check(out, stopped == 'T' && running != 'T' && !termKilled && killed && p.exitValue() == 137,
                "stopped and killed despite its handlers and ignores");
        out.println();
    }

    private static char waitState(long pid, char want) throws Exception {
        char state = '?';
        for (int i = 0; i < 40; i++) {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            state = stat.charAt(stat.lastIndexOf(')') + 2);
            if (state == want) return state;
            Thread.sleep(25);
        }
        return state;
    }

    // ------------------------------------------------------------------ 4, 5

    private void standardNotQueued(PrintStream out, int n) throws Exception {
        out.println("== 4. Standard signals are not queued ==");
        Process p = start(javaCommand("count"));
        awaitReady(p);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) Native.POSIX_.kill((int) p.pid(), Signal.SIGUSR1.intValue());
        long sendMs = (System.nanoTime() - t0) / 1_000_000;
        Thread.sleep(1500); // let every pending handler thread finish
        kill(p, Signal.SIGHUP);
        String result = readLine(p);
        p.waitFor(10, TimeUnit.SECONDS);
        long handled = result == null ? -1 : Long.parseLong(result.replaceAll("\\D", ""));
        out.printf("  sent %,d SIGUSR1 in %d ms; the child's JVM handler ran %,d times%n", n, sendMs, handled);
        out.println("  A pending standard signal is one bit: a second SIGUSR1 that arrives before the first is handled merges with it.");
        check(out, handled > 0 && handled < n, "fewer handled than sent: standard signals coalesce");
        out.println();
    }

    private void realTimeQueued(PrintStream out, int n) throws Exception {
        out.println("== 5. Real-time signals are queued, in order, with their payload ==");
        int sig = SigLib.sigrtmin();
        Process p = SpawnedProcess.spawn(javaCommand("rt", Integer.toString(n)), sig);
        children.add(p);
        awaitReady(p);
        long t0 = System.nanoTime();
        int eagain = 0;
        for (int i = 0; i < n; i++) {
            while (SigLib.libc().sigqueue((int) p.pid(), sig, i) != 0) {
                if (SigLib.errno() != SigLib.EAGAIN) throw new IOException("sigqueue failed: errno " + SigLib.errno());
                eagain++;
                Thread.onSpinWait();
            }
        }
        long sendMs = (System.nanoTime() - t0) / 1_000_000;
        String result = readLine(p);
        p.waitFor(10, TimeUnit.SECONDS);
        out.printf("  sigqueue x %,d (SIGRTMIN=%d, si_value = sequence number) in %d ms%s%n", n, sig, sendMs,
                eagain > 0 ? ", " + eagain + " retries on EAGAIN (queue full: RLIMIT_SIGPENDING)" : "");
        out.println("  child (started by posix_spawnp with SIGRTMIN blocked, taking them with sigtimedwait): " + result);
        check(out, result != null && result.equals("received " + n + " in-order-with-payload " + n), "every one arrived, in order, with its payload");
        out.println();
    }

    // ------------------------------------------------------------------ 6

    private void cost(PrintStream out, boolean quick) throws IOException {
        out.println("== 6. What a round trip costs between two JVMs ==");
        Duration warmup = Duration.ofMillis(quick ? 300 : 2_000);
        double[] handler = roundTrips("handler", quick ? 300 : 2_000, warmup);
        double[] rt = roundTrips("rt", quick ? 3_000 : 50_000, warmup);
        out.printf("  (after a %s warm-up, so that the JIT has compiled both sides)%n", org.ipclab.core.Units.format(warmup));
        out.printf("  route=handler  kill + sun.misc.Signal  RTT p50 %8.1f µs  p99 %8.1f µs%n", handler[0], handler[1]);
        out.printf("  route=rt       sigqueue + sigtimedwait  RTT p50 %8.1f µs  p99 %8.1f µs%n", rt[0], rt[1]);
        out.printf("  The handler route is %.0fx slower: per delivery the JVM's C handler wakes its Signal Dispatcher thread,%n", handler[0] / rt[0]);
        out.println("  which starts a new Java thread to run the handler, which wakes the receiver. sigtimedwait returns the");
        out.println("  signal to the thread already waiting for it. (Noisy: one short run; use it to compare, not to quote.)");
        check(out, handler[0] > rt[0], "a JVM handler dispatch costs more than sigtimedwait");
    }

    private static double[] roundTrips(String route, int n, Duration warmup) throws IOException {
        try (PeerSession s = PeerLauncher.launch(new SignalProvider(), ChannelSpec.of("signal", Map.of("route", route)), Duration.ofSeconds(30))) {
            ByteBuffer m = ByteBuffer.allocate(route.equals("rt") ? 4 : 0);
            ByteBuffer in = ByteBuffer.allocate(8);
            long[] rtt = new long[n];
            long warm = System.nanoTime() + warmup.toNanos();
            while (System.nanoTime() - warm < 0) { // until the JIT has compiled both sides' loops
                s.channel().send(m.clear(), Duration.ofSeconds(10));
                s.channel().receive(in.clear(), Duration.ofSeconds(10));
            }
            for (int i = 0; i < n; i++) {
                long t = System.nanoTime();
                s.channel().send(m.clear(), Duration.ofSeconds(10));
                s.channel().receive(in.clear(), Duration.ofSeconds(10));
                rtt[i] = System.nanoTime() - t;
            }
            Arrays.sort(rtt);
            return new double[] {rtt[n / 2] / 1e3, rtt[(int) (n * 0.99)] / 1e3};
        }
    }

    // ------------------------------------------------------------------ helpers

    private Process start(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        children.add(p);
        return p;
    }

    private List<String> javaCommand(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(org.ipclab.core.peer.PeerLauncher.javaBinary());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(SignalChild.class.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The child prints "ready" on stdout (ProcessBuilder child) or stderr (posix_spawnp'd child, whose stdout is /dev/null). */
    private static void awaitReady(Process p) throws IOException {
        String line = readLine(p);
        if (!"ready".equals(line)) throw new IOException("child " + p.pid() + " did not get ready: " + line);
    }

    /** The child's next line, skipping the JVM's own warnings (JDK 22+ prints native-access warnings on stderr). */
    private static String readLine(Process p) throws IOException {
        String line;
        do {
            line = readRawLine(p);
        } while (line != null && (line.startsWith("WARNING:") || line.isBlank()));
        return line;
    }

    private static String readRawLine(Process p) throws IOException {
        java.io.InputStream s = p instanceof SpawnedProcess ? p.getErrorStream() : p.getInputStream();
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = s.read()) >= 0 && c != '\n') sb.append((char) c);
        return c < 0 && sb.length() == 0 ? null : sb.toString();
    }

    private static void kill(Process p, Signal s) {
        if (p.isAlive()) Native.POSIX_.kill((int) p.pid(), s.intValue()); // only children this demo started
    }

    private static String exit(int code) {
        return code > 128 ? "killed by signal " + (code - 128) + " (" + name(code - 128) + ")" : "exit code " + code;
    }

    private static int number(String name) {
        return Signal.valueOf("SIG" + name).intValue();
    }

    private static String name(int number) {
        for (Signal s : Signal.values()) {
            if (s.intValue() == number && s.name().startsWith("SIG") && !List.of("SIGCLD", "SIGPOLL", "SIGIOT").contains(s.name())) return s.name();
        }
        return "signal " + number;
    }

    private void check(PrintStream out, boolean ok, String claim) {
        out.println("  " + (ok ? "[ok] " : "[!!] ") + claim);
        if (!ok) failures++;
    }
}
