package org.ipclab.bench.counters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.ipclab.bench.Results;
import org.junit.jupiter.api.Test;

/** The counter arithmetic on injected /proc text: no process is started or read. */
class CounterWindowTest {
    /** A fake /proc: path → text; a path mapped to an exception fails as the kernel would. */
    private static final class FakeProc implements ProcFiles {
        final Map<String, String> files = new HashMap<>();
        final Map<String, IOException> failures = new HashMap<>();

        @Override
        public List<String> lines(String path) throws IOException {
            if (failures.containsKey(path)) throw failures.get(path);
            String text = files.get(path);
            if (text == null) throw new NoSuchFileException("/proc/" + path);
            return text.lines().toList();
        }

        @Override
        public List<String> list(String path) throws IOException {
            List<String> names = new ArrayList<>();
            String prefix = path + "/";
            for (String f : files.keySet()) {
                if (f.startsWith(prefix)) {
                    String name = f.substring(prefix.length()).split("/")[0];
                    if (!names.contains(name)) names.add(name);
                }
            }
            if (names.isEmpty()) throw new NoSuchFileException("/proc/" + path);
            return names;
        }

        /** One thread's files, with the given counters. */
        void thread(long pid, long tid, String comm, long vol, long invol, long minflt, long runNs, long syscr, long rchar, int cpu) {
            String d = pid + "/task/" + tid + "/";
            files.put(d + "comm", comm + "\n");
            files.put(d + "status", "Name:\t" + comm + "\nCpus_allowed_list:\t0-1\nvoluntary_ctxt_switches:\t" + vol
                    + "\nnonvoluntary_ctxt_switches:\t" + invol + "\n");
            // fields 3.. after "(comm)": state ppid pgrp session tty tpgid flags minflt(10) cminflt majflt(12) ... processor(39)
            StringBuilder stat = new StringBuilder(tid + " (" + comm + ") S");
            for (int field = 4; field <= 52; field++) {
                long v = field == 10 ? minflt : field == 12 ? 3 : field == 39 ? cpu : 0;
                stat.append(' ').append(v);
            }
            files.put(d + "stat", stat + "\n");
            files.put(d + "schedstat", runNs + " 500 7\n");
            files.put(d + "io", "rchar: " + rchar + "\nwchar: " + rchar + "\nsyscr: " + syscr + "\nsyscw: " + syscr
                    + "\nread_bytes: 0\nwrite_bytes: 0\ncancelled_write_bytes: 0\n");
        }
    }

    private static final List<CounterWindow.Watched> PAIR = List.of(new CounterWindow.Watched("runner", 100),
            new CounterWindow.Watched("peer", 200));

    @Test
    void deltasOverTheWorkThreadsAreDividedByTheMessagesAndTheJvmThreadsShownApart() throws IOException {
        FakeProc before = new FakeProc();
        before.thread(100, 101, "java", 10, 1, 50, 1_000, 20, 1_000, 0);
        before.thread(100, 102, "GC Thread#0", 5, 0, 7, 100, 0, 0, 1);
        before.thread(200, 201, "java", 30, 2, 60, 2_000, 40, 4_000, 1);
        FakeProc after = new FakeProc();
        after.thread(100, 101, "java", 1_010, 3, 52, 9_000, 2_020, 137_000, 1);
        after.thread(100, 102, "GC Thread#0", 9, 1, 11, 700, 0, 0, 1);
        after.thread(100, 103, "ipclab-open-lo", 100, 0, 4, 500, 1_000, 68_000, 0); // born during the phase: counted from zero
        after.thread(200, 201, "java", 1_030, 2, 60, 10_000, 2_040, 140_000, 1);

        Map<Long, Map<String, Long>> runnerPerf = Map.of(101L, Map.of("syscalls", 2_000L, "context_switches", 1_000L,
                "cpu_migrations", 0L, "page_faults", 2L), 102L, Map.of("syscalls", 33L));
        Map<Long, Map<String, Long>> peerPerf = Map.of(201L, Map.of("syscalls", 2_000L, "context_switches", 1_001L,
                "cpu_migrations", 1L, "page_faults", 0L));
        Results.Counters c = CounterWindow.compute(PAIR,
                List.of(ProcessSample.read(before, 100), ProcessSample.read(before, 200)),
                List.of(ProcessSample.read(after, 100), ProcessSample.read(after, 200)),
                List.of(runnerPerf, peerPerf), null, 1_000, "round trip");

        assertNull(c.perf());
        Results.CounterGroup runner = c.group("runner", "work");
        assertEquals(List.of(101L, 103L), runner.tids());
        assertEquals(2.0, runner.figures().get("syscalls").perMessage(), 1e-9);
        assertEquals(1.0, runner.figures().get("context_switches").perMessage(), 1e-9);
        assertEquals(1_100, runner.figures().get("ctx_voluntary").total()); // 1000 + the new thread's 100
        assertEquals(2.0 + 0.0, runner.figures().get("ctx_involuntary").total(), 1e-9);
        assertEquals(6, runner.figures().get("minor_faults").total());
        assertEquals(3, runner.figures().get("major_faults").total()); // 0 from the old thread, 3 from the new one
        assertEquals(8_500, runner.figures().get("run_ns").total());
        assertEquals(3.0, runner.figures().get("syscr").perMessage(), 1e-9);
        assertEquals(204.0, runner.figures().get("rchar").perMessage(), 1e-9);
        assertTrue(runner.figures().get("syscalls").source().contains("raw_syscalls:sys_enter"));
        assertTrue(runner.figures().get("ctx_voluntary").source().contains("voluntary_ctxt_switches"));
        assertEquals("0-1", runner.cpusAllowed());
        assertEquals(List.of(0, 1), runner.ranOn());

        Results.CounterGroup jvm = c.group("runner", "jvm");
        assertEquals(List.of(102L), jvm.tids());
        assertEquals(33, jvm.figures().get("syscalls").total());
        assertEquals(4, jvm.figures().get("ctx_voluntary").total());

        Results.CounterGroup peer = c.group("peer", "work");
        assertEquals(2.0, peer.figures().get("syscalls").perMessage(), 1e-9);
        assertEquals(1.001, peer.figures().get("context_switches").perMessage(), 1e-9);
        assertEquals(0, peer.figures().get("ctx_involuntary").total());
        assertNull(c.group("peer", "jvm"));

        assertEquals("2.00+2.00", CounterText.pair(c, "syscalls"));
        assertEquals(1.0, CounterText.switches(c, "runner"), 1e-9);
        // rchar+wchar of both, per message, over a 64-byte message
        assertEquals((204.0 * 2 + 136.0 * 2) / 64, CounterText.copies(c, 64), 1e-9);
    }

    @Test
    void aCounterTheKernelWouldNotGiveIsUnavailableWithTheReasonNeverZero() throws IOException {
        FakeProc before = new FakeProc();
        before.thread(100, 101, "java", 10, 1, 50, 1_000, 20, 1_000, 0);
        before.thread(200, 201, "java", 30, 2, 60, 2_000, 40, 4_000, 1);
        before.failures.put("200/task/201/io", new AccessDeniedException("/proc/200/task/201/io"));
        FakeProc after = new FakeProc();
        after.thread(100, 101, "java", 20, 1, 50, 2_000, 30, 2_000, 0);
        after.thread(200, 201, "java", 40, 2, 60, 3_000, 50, 5_000, 1);
        after.failures.put("200/task/201/io", new AccessDeniedException("/proc/200/task/201/io"));
        after.files.remove("100/task/101/schedstat");

        Results.Counters c = CounterWindow.compute(PAIR,
                List.of(ProcessSample.read(before, 100), ProcessSample.read(before, 200)),
                List.of(ProcessSample.read(after, 100), ProcessSample.read(after, 200)),
                null, "no perf on the PATH", 10, "round trip");

        assertEquals("no perf on the PATH", c.perf());
        Results.Figure sys = c.group("runner", "work").figures().get("syscalls");
        assertNull(sys.perMessage());
        assertNull(sys.total());
        assertEquals("no perf on the PATH", sys.unavailable());
        Results.Figure syscr = c.group("peer", "work").figures().get("syscr");
        assertNull(syscr.total());
        assertTrue(syscr.unavailable().contains("permission denied"), syscr.unavailable());
        Results.Figure run = c.group("runner", "work").figures().get("run_ns");
        assertNull(run.total());
        assertTrue(run.unavailable().contains("schedstat"), run.unavailable());
        assertEquals(1.0, c.group("runner", "work").figures().get("ctx_voluntary").perMessage(), 1e-9);
        assertEquals("n/a+n/a", CounterText.pair(c, "syscalls"));
        // without perf, context switches come from /proc (voluntary + involuntary)
        assertEquals(1.0, CounterText.switches(c, "peer"), 1e-9);
        assertNull(CounterText.copies(c, 64));
    }

    @Test
    void aProcessThatEndedBeforeTheSecondReadingSaysSo() throws IOException {
        FakeProc before = new FakeProc();
        before.thread(100, 101, "java", 1, 1, 1, 1, 1, 1, 0);
        before.thread(200, 201, "java", 1, 1, 1, 1, 1, 1, 0);
        FakeProc after = new FakeProc();
        after.thread(100, 101, "java", 2, 1, 1, 2, 1, 1, 0);
        Results.Counters c = CounterWindow.compute(PAIR,
                List.of(ProcessSample.read(before, 100), ProcessSample.read(before, 200)),
                List.of(ProcessSample.read(after, 100), new ProcessSample(200, List.of())),
                null, "perf not asked for", 5, "message");
        Results.Figure all = c.group("peer", "work").figures().get("all");
        assertNotNull(all.unavailable());
        assertNull(CounterText.perMessage(c, "peer", "ctx_voluntary"));
    }

    @Test
    void perfStatPerThreadOutputIsParsedByThreadIdAndNotCountedMeansItDidNotRun() {
        Map<Long, Map<String, Long>> m = PerfStat.parse(List.of(
                "# started on Tue Dec  1 21:53:20 2026", "",
                "java-16816,972,,raw_syscalls:sys_enter,9391303,100.00,,",
                "C2 CompilerThre-16774,<not counted>,,raw_syscalls:sys_enter,0,100.00,,",
                "java-16816,482,,context-switches,9391303,100.00,,",
                "java-16816,0,,page-faults,9391303,100.00,,Events disabled"));
        assertEquals(972L, m.get(16816L).get("syscalls"));
        assertEquals(482L, m.get(16816L).get("context_switches"));
        assertEquals(0L, m.get(16816L).get("page_faults"));
        assertEquals(0L, m.get(16774L).get("syscalls"));
    }

    @Test
    void jvmThreadsAreToldFromWorkThreadsByName() {
        assertTrue(ProcessSample.jvmThread("GC Thread#0"));
        assertTrue(ProcessSample.jvmThread("C2 CompilerThre"));
        assertTrue(ProcessSample.jvmThread("G1 Conc#0"));
        assertTrue(ProcessSample.jvmThread("VM Thread"));
        assertTrue(!ProcessSample.jvmThread("java"));
        assertTrue(!ProcessSample.jvmThread("ipclab-open-lo"));
    }
}
