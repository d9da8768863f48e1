package org.ipclab.bench.counters;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.ipclab.bench.Results;
import org.ipclab.core.Units;

/**
 * A measured row told in sentences a student can check against the chapter: how many system calls,
 * copies through the kernel and context switches one message cost, for Java and for C. Every number
 * comes from the row's counters; nothing is written in advance.
 */
public final class Explanation {
    private Explanation() {
    }

    public static List<String> of(Results.Measurement m) {
        List<String> out = new ArrayList<>();
        String unit = "latency".equals(m.mode()) ? "round trip" : "message";
        String head = m.mechanism() + ", " + Units.formatSize(m.sizeBytes()) + " " + unit;
        if (m.summary() == null || m.counters() == null) {
            out.add(head + ": nothing measured" + (m.error() == null ? "" : " (" + m.error() + ")"));
            return out;
        }
        Results.Latency l = m.summary().latency();
        out.add(head + String.format(Locale.ROOT, ", %,d %ss measured%s:", m.counters().messages(), unit,
                l == null ? "" : String.format(Locale.ROOT, ", p50 %.2f µs", l.p50Us())));
        out.add("Java: " + side(m.counters(), m.sizeBytes(), unit, m.cpu()));
        Results.Baseline b = m.baseline();
        if (b != null && b.counters() != null) {
            out.add("C (" + b.program() + "): " + side(b.counters(), m.sizeBytes(), unit, null)
                    + (b.p50Us() != null ? String.format(Locale.ROOT, " Its p50: %.2f µs.", b.p50Us()) : ""));
            Double js = total(m.counters(), "syscalls");
            Double cs = total(b.counters(), "syscalls");
            if (js != null && cs != null) {
                double d = js - cs;
                out.add(Math.abs(d) < 0.05
                        ? String.format(Locale.ROOT, "Java and C make the same number of system calls per %s (%.2f): the Java layers add no system call here.", unit, js)
                        : String.format(Locale.ROOT, "Java makes %.2f %s system calls per %s than C (%.2f against %.2f): %s",
                                Math.abs(d), d > 0 ? "more" : "fewer", unit, js, cs,
                                d > 0 ? "see which with --strace." : "C's loop does more work in the kernel here."));
            }
            if (l != null && b.p50Us() != null) {
                out.add(String.format(Locale.ROOT, "That is the %.2f µs (Java) against %.2f µs (C) you measured.", l.p50Us(), b.p50Us()));
            }
        } else if (b != null && b.error() != null) {
            out.add("C: failed: " + b.error());
        }
        return out;
    }

    /** One side's story: system calls, copies, switches. */
    static String side(Results.Counters c, int size, String unit, Results.Cpu cpu) {
        StringBuilder s = new StringBuilder();
        Double sys = total(c, "syscalls");
        Double r = CounterText.perMessage(c, "runner", "syscalls");
        Double p = CounterText.perMessage(c, "peer", "syscalls");
        if (sys == null) {
            s.append("system calls not counted (").append(c.perf() == null ? "unavailable" : c.perf()).append("); ");
        } else if (sys < 0.05) {
            s.append(String.format(Locale.ROOT, "%.2f system calls per %s: the messages never enter the kernel", sys, unit));
        } else {
            s.append(String.format(Locale.ROOT, "%.1f system calls per %s (runner %.1f, peer %.1f)", sys, unit, r, p));
            Double wr = total(c, "syscw");
            Double rd = total(c, "syscr");
            if (wr != null && rd != null) {
                if (wr + rd >= 0.05) s.append(String.format(Locale.ROOT, ", of which %.1f write-family and %.1f read-family", wr, rd));
                if (sys - wr - rd >= 0.05) s.append(String.format(Locale.ROOT, "%s%.1f other (send/recv, mq, signal, poll, futex ...)",
                        wr + rd >= 0.05 ? " and " : ", ", sys - wr - rd));
            }
        }
        s.append("; ");
        Double copies = CounterText.copies(c, size);
        Double bytes = copies == null ? null : copies * size;
        if (copies == null) {
            s.append("bytes through the kernel not counted");
        } else if (bytes < 1) {
            s.append("no byte copied through read/write calls");
        } else {
            s.append(String.format(Locale.ROOT, "%.0f bytes through read/write calls per %s, %.1f times the %s message"
                    + " (each write copies it into the kernel, each read out of it)", bytes, unit, copies, Units.formatSize(size)));
        }
        s.append("; ");
        Double ctx = both(CounterText.switches(c, "runner"), CounterText.switches(c, "peer"));
        if (ctx == null) {
            s.append("context switches not counted.");
        } else if (ctx < 0.05) {
            s.append(String.format(Locale.ROOT, "%.2f context switches: neither process ever sleeps", ctx));
            if (cpu != null && cpu.runnerUsPerMsg() != null && cpu.peerUsPerMsg() != null) {
                s.append(String.format(Locale.ROOT, ", it spins (CPU per %s: %.1f µs runner, %.1f µs peer)", unit,
                        cpu.runnerUsPerMsg(), cpu.peerUsPerMsg()));
            }
            s.append('.');
        } else {
            s.append(String.format(Locale.ROOT, "%.1f context switches per %s (runner %.1f, peer %.1f): a side that waits for"
                    + " the other's message sleeps in the kernel and is woken when it arrives.", ctx, unit,
                    CounterText.switches(c, "runner"), CounterText.switches(c, "peer")));
        }
        return s.toString();
    }

    private static Double total(Results.Counters c, String counter) {
        return both(CounterText.perMessage(c, "runner", counter), CounterText.perMessage(c, "peer", counter));
    }

    private static Double both(Double a, Double b) {
        return a == null || b == null ? null : a + b;
    }
}
