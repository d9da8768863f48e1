package org.ipclab.labs.lab6;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.ipclab.labs.Checks;
import org.ipclab.labs.Jvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/** Lab 6 check. Signals go only to processes this check started. Tasks and hints: {@link org.ipclab.labs.LabCatalog}. */
class Lab6Check {

    @AfterEach
    void stopChildren() {
        Checks.stopChildren();
    }

    /** The check's own kill, so that task 1 does not depend on task 2. */
    private static void kill(Process p, String sig) throws Exception {
        Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).start();
        assertEquals(0, k.waitFor(), "kill -" + sig);
    }

    private static String line(BufferedReader r, Process p, String expecting) throws IOException {
        String l = r.readLine();
        if (l == null) {
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            String todo = err.lines().filter(x -> x.contains("TODO(")).findFirst().orElse(null);
            if (todo != null) throw new UnsupportedOperationException(todo.substring(todo.indexOf("TODO(")));
            throw new AssertionError("the process ended (exit " + (p.isAlive() ? "?" : p.exitValue()) + ") while we waited for '"
                    + expecting + "'; stderr: " + err.lines().findFirst().orElse("(empty)"));
        }
        return l;
    }

    /** A SignalCounter that has printed its ready line. */
    private static Process counter(BufferedReader[] out) throws Exception {
        Process p = new ProcessBuilder(Jvm.command("org.ipclab.labs.lab6.SignalCounter")).start();
        out[0] = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String ready = line(out[0], p, "ready pid N");
        assertEquals("ready pid " + p.pid(), ready, "first line");
        return p;
    }

    @Test
    @Timeout(20)
    void task1_handlersCountAndTermEndsGracefully() throws Exception {
        BufferedReader[] out = new BufferedReader[1];
        Process p = counter(out);
        // One at a time, waiting for each answer: two signals of one kind sent at once may arrive as one.
        kill(p, "USR1");
        assertEquals("got USR1 1", line(out[0], p, "got USR1 1"));
        kill(p, "USR1");
        assertEquals("got USR1 2", line(out[0], p, "got USR1 2"));
        kill(p, "HUP");
        assertEquals("got HUP 1", line(out[0], p, "got HUP 1"));
        kill(p, "TERM");
        assertEquals("bye usr1=2 hup=1", line(out[0], p, "bye usr1=2 hup=1"));
        assertTrue(p.waitFor(5, TimeUnit.SECONDS), "still running 5 s after TERM");
        assertEquals(0, p.exitValue(), "exit code after TERM (143 = the JDK's 128 + 15 for 'killed by TERM': no handler ran)");
    }

    @Test
    @Timeout(20)
    void task2_sendSignalsOnlyWhereItIsSafe() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "30").start();
        Signals.send(sleeper.pid(), "TERM");
        assertTrue(sleeper.waitFor(5, TimeUnit.SECONDS), "sleep did not end after TERM");
        // wait(2) reports "killed by signal 15" (WIFSIGNALED); the JDK, like the shell, encodes it as 128 + 15.
        assertEquals(128 + 15, sleeper.exitValue(), "Process.exitValue() of sleep after TERM (128 + 15: killed by signal 15)");
        // Signal "0" delivers nothing (kill -0 only checks): a solution that forgets to refuse these pids does no harm here.
        for (long pid : new long[] {1, 0, -1, -42}) {
            assertThrows(IllegalArgumentException.class, () -> Signals.send(pid, "0"), "send to pid " + pid + " must be refused");
        }
        assertThrows(IllegalArgumentException.class, () -> Signals.send(sleeper.pid(), "0; echo injected"), "a signal name that is not one");
        // A pid that cannot exist (above pid_max): never a reused pid of somebody else's process.
        long impossible = Long.parseLong(java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/sys/kernel/pid_max")).get(0).trim()) + 1;
        assertThrows(IOException.class, () -> Signals.send(impossible, "USR1"), "no such process: kill fails, send must say so");
    }

    @Test
    @Timeout(10)
    void task3_theUncatchablePair() {
        for (String s : new String[] {"USR1", "HUP", "TERM"}) assertTrue(Signals.canCatch(s), s + " can be caught");
        for (String s : new String[] {"KILL", "STOP"}) assertFalse(Signals.canCatch(s), s + " can never be caught");
        SignalHandler mine = sig -> { };
        SignalHandler before = Signal.handle(new Signal("HUP"), mine);
        try {
            Signals.canCatch("HUP");
            assertSame(mine, Signal.handle(new Signal("HUP"), before), "canCatch must put the previous HUP handler back");
        } finally {
            Signal.handle(new Signal("HUP"), before);
        }
    }

    @Test
    @Timeout(20)
    void task4_stopContAndKillSeenFromTheKernel() throws Exception {
        BufferedReader[] out = new BufferedReader[1];
        Process p = counter(out);
        char running = Signals.state(p.pid());
        assertTrue(running == 'S' || running == 'R', "state of a live process: expected S or R, got " + running);
        kill(p, "STOP");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        char c;
        while ((c = Signals.state(p.pid())) != 'T' && System.nanoTime() < deadline) Thread.sleep(10);
        assertEquals('T', c, "state after STOP");
        kill(p, "USR1"); // stays pending while stopped
        kill(p, "CONT");
        assertEquals("got USR1 1", line(out[0], p, "got USR1 1"), "the USR1 sent while stopped, handled after CONT");
        kill(p, "KILL");
        assertTrue(p.waitFor(5, TimeUnit.SECONDS), "still running after KILL");
        assertEquals(128 + 9, p.exitValue(), "Process.exitValue() after KILL (128 + 9: killed by signal 9; no handler can run: no 'bye')");
        assertEquals(null, out[0].readLine(), "nothing printed after KILL");
        assertThrows(IOException.class, () -> Signals.state(p.pid()), "state of a process that is gone and reaped: /proc/PID is gone");
    }

    /** Bit {@code signo - 1} of the SigIgn mask the kernel shows in /proc/PID/status. */
    private static boolean kernelSaysIgnored(long pid, int signo) throws IOException {
        try {
            for (String l : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc", Long.toString(pid), "status"))) {
                if (l.startsWith("SigIgn:")) return (Long.parseUnsignedLong(l.substring(7).strip(), 16) >>> (signo - 1) & 1) == 1;
            }
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
        return false;
    }

    private static String comm(long pid) {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "comm")).strip();
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    @Timeout(20)
    void task5_ignoredIsDiscardedAndKillStopCannotBeIgnored() throws Exception {
        String[] catchable = {"USR1", "HUP", "ALRM", "TERM"}; // not USR2: HotSpot may use it itself
        String name = catchable[new java.util.Random().nextInt(catchable.length)]; // another one each run
        int signo = new Signal(name).getNumber();
        Process p = Signals.startIgnoring(name);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (p.isAlive() && !(comm(p.pid()).equals("sleep") && kernelSaysIgnored(p.pid(), signo)) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(p.isAlive(), "the process ended before it was signalled (exit " + (p.isAlive() ? "?" : p.exitValue()) + ")");
        assertEquals("sleep", comm(p.pid()), "the process should be running sleep by now");
        assertTrue(kernelSaysIgnored(p.pid(), signo), "the kernel does not list " + name + " as ignored by sleep (SigIgn in /proc/"
                + p.pid() + "/status): a handler does not survive exec, only SIG_IGN does");
        kill(p, name);
        Thread.sleep(300);
        assertTrue(p.isAlive(), name + " ended the process: it was not ignored");
        kill(p, "KILL");
        assertTrue(p.waitFor(5, TimeUnit.SECONDS), "sleep still runs after KILL: KILL cannot be ignored");

        assertEquals(0, Signals.kernelIgnore(name), "sigaction(SIG" + name + ", SIG_IGN) is allowed: kernelIgnore should return 0");
        assertEquals(org.ipclab.labs.support.Sigaction.EINVAL, Signals.kernelIgnore("KILL"),
                "sigaction(SIGKILL, SIG_IGN): the kernel refuses with EINVAL (22)");
        assertEquals(org.ipclab.labs.support.Sigaction.EINVAL, Signals.kernelIgnore("STOP"),
                "sigaction(SIGSTOP, SIG_IGN): the kernel refuses with EINVAL (22)");
    }
}
