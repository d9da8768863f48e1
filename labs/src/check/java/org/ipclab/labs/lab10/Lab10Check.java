package org.ipclab.labs.lab10;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.ipclab.labs.Checks;
import org.ipclab.labs.Jvm;
import org.ipclab.labs.Seeded;
import org.ipclab.labs.support.SigQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Lab 10 check. Signals are queued only to threads that block them: the student's Receiver's main thread, or
 * the check's own thread (tasks 3 and 4). Tasks and hints: {@link org.ipclab.labs.LabCatalog}.
 */
class Lab10Check {
    private static final int USR1 = 10;
    private static final int ALRM = 14;
    @RegisterExtension
    final Seeded seeded = new Seeded();
    private final Random random = seeded.random();

    @AfterEach
    void stopChildren() {
        Checks.stopChildren();
    }

    /** A started Receiver that said ready: its process, output, and the thread that blocks the signals. */
    private record Started(Process process, BufferedReader out, long tid) {
        void queue(int signo, int value) {
            int rc = SigQueue.queue(process.pid(), tid, signo, value);
            assertEquals(0, rc, "the check could not queue signal " + signo + " to the Receiver (errno " + -rc + ")");
        }

        /** Says "collect" and reads the got-lines up to "end". */
        List<String> collect() throws IOException {
            OutputStream in = process.getOutputStream();
            in.write("collect\n".getBytes(StandardCharsets.US_ASCII));
            in.flush();
            List<String> got = new ArrayList<>();
            for (String l; (l = out.readLine()) != null; ) {
                if (l.equals("end")) return got;
                got.add(l);
            }
            throw new AssertionError(died(process, "before 'end'") + (got.isEmpty() ? "" : "; it printed " + got));
        }
    }

    private static String died(Process p, String when) {
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String err = "";
        try {
            err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            // gone
        }
        String todo = err.lines().filter(x -> x.contains("TODO(")).findFirst().orElse(null);
        if (todo != null) throw new UnsupportedOperationException(todo.substring(todo.indexOf("TODO(")));
        int code = p.exitValue();
        String how = code > 128 ? "killed by signal " + (code - 128) + ": a signal it did not block reached it, and the default "
                + "action of USR1, ALRM and the real-time signals is to end the process" : "exit status " + code;
        return "the Receiver ended " + when + " (" + how + "); its stderr: " + err.lines().findFirst().orElse("(empty)");
    }

    private static Started receiver() throws Exception {
        Process p = new ProcessBuilder(Jvm.command("org.ipclab.labs.lab10.Receiver")).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String ready = out.readLine();
        if (ready == null) throw new AssertionError(died(p, "without saying 'ready pid P tid T'"));
        String[] w = ready.split(" ");
        assertTrue(w.length == 5 && w[0].equals("ready") && w[1].equals("pid") && w[2].equals(String.valueOf(p.pid())) && w[3].equals("tid")
                && w[4].matches("\\d+"), "first line: expected 'ready pid " + p.pid() + " tid T', got '" + ready + "'");
        long tid = Long.parseLong(w[4]);
        assertTrue(Files.isDirectory(Path.of("/proc", String.valueOf(p.pid()), "task", w[4])), "tid " + tid + " is not a thread of " + p.pid());
        return new Started(p, out, tid);
    }

    @Test
    @Timeout(20)
    void task1_standardSignalsMergeWhileBlocked() throws Exception {
        int rt = SigQueue.rtmin();
        int[] expected = {USR1, ALRM, rt, rt + 1, rt + 2, rt + 3, rt + 4};
        int[] set = Receiver.signals();
        assertEquals(Arrays.toString(expected), Arrays.toString(set == null ? new int[0] : Arrays.stream(set).sorted().toArray()),
                "Receiver.signals(): USR1, ALRM and SIGRTMIN .. SIGRTMIN+4 (SIGRTMIN is " + rt + " here)");
        Started r = receiver();
        List<Integer> order = new ArrayList<>();
        for (int i = 2 + random.nextInt(5); i > 0; i--) order.add(USR1);
        for (int i = 2 + random.nextInt(5); i > 0; i--) order.add(ALRM);
        java.util.Collections.shuffle(order, random);
        int firstUsr1 = -1;
        int firstAlrm = -1;
        for (int signo : order) {
            int value = 1 + random.nextInt(1000);
            if (signo == USR1 && firstUsr1 < 0) firstUsr1 = value;
            if (signo == ALRM && firstAlrm < 0) firstAlrm = value;
            r.queue(signo, value);
        }
        List<String> got = r.collect();
        List<String> sorted = new ArrayList<>(got);
        sorted.sort(null);
        List<String> want = new ArrayList<>();
        want.add("got 10 " + firstUsr1);
        want.add("got 14 " + firstAlrm);
        want.sort(null);
        assertEquals(want, sorted, "queued while blocked: " + order + ". Several USR1 and several ALRM were queued while blocked: a standard signal that is already "
                + "pending is not queued again (signal(7)), so one of each remains, with the value of the first one sent");
    }

    @Test
    @Timeout(20)
    void task2_realTimeSignalsQueueInOrderWithTheirValues() throws Exception {
        int rt = SigQueue.rtmin();
        int low = rt + 1;
        int high = rt + 3;
        Started r = receiver();
        List<String> lows = new ArrayList<>();
        List<String> highs = new ArrayList<>();
        int n = 4 + random.nextInt(7);
        int usr1At = random.nextInt(n);
        List<String> sent = new ArrayList<>();
        int usr1Value = 0;
        for (int i = 0; i < n; i++) {
            if (i == usr1At) {
                usr1Value = 1 + random.nextInt(1000);
                r.queue(USR1, usr1Value);
                sent.add("10:" + usr1Value);
            }
            int signo = random.nextBoolean() ? low : high;
            int value = 1 + random.nextInt(1000);
            r.queue(signo, value);
            sent.add(signo + ":" + value);
            (signo == low ? lows : highs).add("got " + signo + " " + value);
        }
        List<String> want = new ArrayList<>();
        want.add("got 10 " + usr1Value); // Linux takes standard signals first (signal(7))
        want.addAll(lows); // then the lowest-numbered real-time signal, each in the order sent
        want.addAll(highs);
        assertEquals(want, r.collect(), "queued while blocked (signo:value): " + sent + ". Every real-time signal is queued with "
                + "its value; the lowest number comes first, each in the order sent");
    }

    private static long impossiblePid() throws IOException {
        // readAllLines, not readString: files in /proc report size 0, and readString may return only their first byte
        return Long.parseLong(Files.readAllLines(Path.of("/proc/sys/kernel/pid_max")).get(0).strip()) + 1;
    }

    @Test
    @Timeout(10)
    void task3_sigqueueCarriesAValue() throws Exception {
        int signo = SigQueue.rtmin() + 2;
        assertEquals(0, SigQueue.block(signo), "the check could not block signal " + signo);
        long me = ProcessHandle.current().pid();
        long tid = SigQueue.tid();
        int[] values = new int[3 + random.nextInt(6)];
        for (int i = 0; i < values.length; i++) values[i] = random.nextInt(1_000_000) - 500_000;
        Sender.send(me, tid, signo, values);
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            SigQueue.Info info = SigQueue.take(Duration.ofSeconds(1), signo);
            assertNotNull(info, "signal " + signo + " number " + (i + 1) + " of " + values.length + " never arrived");
            assertEquals(SigQueue.SI_QUEUE, info.code(), "si_code of a queued signal (SI_QUEUE)");
            assertEquals(me, info.senderPid(), "si_pid: the sender");
            got.add(info.value());
        }
        assertEquals(Arrays.stream(values).boxed().toList(), got, "the values, in the order sent: each queued signal carries its own");
        for (long pid : new long[] {1, 0, -1, -42}) {
            assertThrows(IllegalArgumentException.class, () -> Sender.send(pid, 1, signo, 1), "send to pid " + pid + " must be refused");
        }
        assertThrows(IllegalArgumentException.class, () -> Sender.send(me, 0, signo, 1), "thread id 0 must be refused");
        long impossible = impossiblePid();
        assertThrows(IOException.class, () -> Sender.send(impossible, impossible, signo, 1), "no such process: the kernel says ESRCH");
    }

    @Test
    @Timeout(10)
    void task4_pendingSignalsSeenInProc() throws Exception {
        int rt = SigQueue.rtmin();
        int signo = rt + random.nextInt(5);
        int standard = random.nextBoolean() ? USR1 : ALRM;
        assertEquals(0, SigQueue.block(standard, signo), "the check could not block its signals");
        long me = ProcessHandle.current().pid();
        long tid = SigQueue.tid();
        try {
            assertEquals(List.of(), Pending.of(me, tid), "nothing is pending for this thread yet");
            assertEquals(0, SigQueue.queue(me, tid, signo, 1));
            assertEquals(0, SigQueue.queue(me, tid, signo, 2));
            assertEquals(0, SigQueue.queue(me, tid, standard, 3));
            assertEquals(List.of(standard, signo), Pending.of(me, tid), "pending for thread " + tid + " after queueing " + standard
                    + " once and " + signo + " twice to it (the signals were aimed at the thread, not the process)");
        } finally {
            while (SigQueue.take(Duration.ZERO, standard, signo) != null) {
                // leave nothing pending in this thread
            }
        }
        assertThrows(IOException.class, () -> Pending.of(impossiblePid(), 1), "a process that does not exist");
    }
}
