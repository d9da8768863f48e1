package org.ipclab.bench.counters;

import java.util.Locale;

import org.ipclab.bench.Results;

/** The counters as the table's compact columns: runner+peer per message. */
public final class CounterText {
    private CounterText() {
    }

    /** Per message of one counter of one process's work threads, or null when unavailable. */
    public static Double perMessage(Results.Counters c, String process, String counter) {
        if (c == null) return null;
        Results.CounterGroup g = c.group(process, "work");
        if (g == null) return null;
        Results.Figure f = g.figures().get(counter);
        return f == null ? null : f.perMessage();
    }

    /** Context switches: perf's count when it ran, else voluntary + involuntary from /proc. */
    public static Double switches(Results.Counters c, String process) {
        Double perf = perMessage(c, process, "context_switches");
        if (perf != null) return perf;
        Double v = perMessage(c, process, "ctx_voluntary");
        Double i = perMessage(c, process, "ctx_involuntary");
        return v == null || i == null ? null : v + i;
    }

    /** Bytes through read/write-family calls of both processes, in units of the message size. */
    public static Double copies(Results.Counters c, int size) {
        double sum = 0;
        for (String p : new String[] {"runner", "peer"}) {
            for (String k : new String[] {"rchar", "wchar"}) {
                Double v = perMessage(c, p, k);
                if (v == null) return null;
                sum += v;
            }
        }
        return size > 0 ? sum / size : null;
    }

    /** "2.0+2.0" (runner+peer), "-" without counters, "n/a" when the kernel would not tell. */
    public static String pair(Results.Counters c, String counter) {
        if (c == null) return "-";
        Double r = counter.equals("ctx") ? switches(c, "runner") : perMessage(c, "runner", counter);
        Double p = counter.equals("ctx") ? switches(c, "peer") : perMessage(c, "peer", counter);
        return num(r) + "+" + num(p);
    }

    static String num(Double v) {
        if (v == null) return "n/a";
        if (v >= 100) return String.format(Locale.ROOT, "%.0f", v);
        return String.format(Locale.ROOT, v >= 10 ? "%.1f" : "%.2f", v);
    }
}
