package org.ipclab.bench.fanin;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

import org.ipclab.bench.Results;
import org.ipclab.core.Units;

/** The fan-in rows of a report: the aggregate, the fairness between clients, the clients that failed. */
public final class FanInTable {
    private FanInTable() {
    }

    public static void print(Results.Report report, PrintStream out) {
        List<Results.Measurement> rows = report.measurements().stream().filter(m -> m.fanIn() != null && m.summary() != null).toList();
        if (rows.isEmpty()) return;
        boolean withC = rows.stream().anyMatch(m -> m.baseline() != null);
        out.println();
        out.println("Fan-in: N client processes against one server end. rate = the clients' round trips/s (latency) or messages/s"
                + " (throughput) summed; p50/p99 = every client's RTT in µs, histograms merged; share = a client's part of the"
                + " messages (fair: 1/N); cpu = µs of CPU per message, the server process / all client processes summed"
                + (withC ? "; C = the C fan-in, same N; Java/C = ratio of rate" : ""));
        out.printf("%-16s %-10s %8s %7s %9s %9s %12s%s %13s%s %9s %9s %7s %6s %s%n", "mechanism", "mode", "size", "clients", "p50", "p99",
                "rate/s", withC ? String.format(" %12s %7s", "C rate/s", "Java/C") : "", "cpu srv/cli", withC ? String.format(" %13s", "C cpu") : "",
                "min share", "max share", "max/min", "failed", "sent/lost/reord/corrupt");
        for (Results.Measurement m : rows) {
            Results.FanIn f = m.fanIn();
            Results.Latency l = m.summary().latency();
            double rate = m.repeats().isEmpty() || m.repeats().get(0).msgsPerSec() == null ? 0 : m.repeats().get(0).msgsPerSec();
            String c = "";
            if (withC) {
                Results.Baseline b = m.baseline();
                Double cRate = b == null ? null : b.msgsPerSec();
                String cr = b == null ? "-" : b.error() != null ? "failed" : cRate == null ? "-" : String.format(Locale.ROOT, "%,.0f", cRate);
                Double ratio = b == null ? null : b.rateRatio() != null ? b.rateRatio() : b.p50Ratio();
                c = String.format(Locale.ROOT, " %12s %7s", cr, ratio == null ? "-" : String.format(Locale.ROOT, "%.2f", ratio));
            }
            String cpu = String.format(Locale.ROOT, " %13s", cpu(m.cpu()));
            if (withC) cpu += String.format(Locale.ROOT, " %13s", m.baseline() == null ? "-" : cpu(m.baseline().cpu()));
            Results.Fairness fair = f.fairness();
            out.printf(Locale.ROOT, "%-16s %-10s %8s %7d %9s %9s %,12.0f%s%s %9s %9s %7s %6d %s%s%n", m.mechanism(), m.mode(),
                    Units.formatSize(m.sizeBytes()), f.clients(), l == null ? "-" : us(l.p50Us()), l == null ? "-" : us(l.p99Us()), rate, c, cpu,
                    fair == null ? "-" : pct(fair.minShare()), fair == null ? "-" : pct(fair.maxShare()),
                    fair == null || fair.maxOverMin() == null ? "-" : String.format(Locale.ROOT, "%.2f", fair.maxOverMin()),
                    f.clients() - f.finished(), integrity(m.integrity()), "integrity".equals(m.status()) ? "  <-- " + m.error() : "");
        }
        for (Results.Measurement m : rows) {
            for (Results.ClientResult c : m.fanIn().perClient()) {
                if ("failed".equals(c.status())) {
                    out.println("note: " + m.mechanism() + " " + m.mode() + " " + Units.formatSize(m.sizeBytes()) + " ×" + m.fanIn().clients()
                            + ": " + c.error());
                } else if ("integrity".equals(c.status())) {
                    out.println("note: " + m.mechanism() + " " + m.mode() + " ×" + m.fanIn().clients() + ": client " + c.client()
                            + " sent/lost/reordered/corrupt " + integrity(c.integrity()));
                } else if (c.messages() == 0) {
                    out.println("note: " + m.mechanism() + " " + m.mode() + " ×" + m.fanIn().clients() + ": client " + c.client()
                            + " got no message through in the common window: its last warm-up message ended after the window did"
                            + " (starved of a CPU; the windows parameter below says how far apart the windows started)");
                } else if (c.integrity() != null && c.integrity().lost() + c.integrity().reordered() > 0) {
                    // "ok" with loss: a mechanism that does not promise RELIABLE delivery (udp); counted per writer, not a failure.
                    Results.Integrity i = c.integrity();
                    out.printf(Locale.ROOT, "note: %s %s ×%d: client %d lost %,d of %,d (%.1f%%), reordered %,d: counted, not a failure"
                                    + " (it does not promise RELIABLE delivery)%n", m.mechanism(), m.mode(), m.fanIn().clients(), c.client(),
                            i.lost(), i.sent(), i.sent() > 0 ? 100.0 * i.lost() / i.sent() : 0.0, i.reordered());
                }
            }
            if (m.baseline() != null && m.baseline().error() != null) {
                out.println("note: C fan-in for " + m.mechanism() + " " + m.mode() + " ×" + m.fanIn().clients() + " failed: " + m.baseline().error());
            }
        }
    }

    private static String cpu(Results.Cpu c) {
        if (c == null || (c.runnerUsPerMsg() == null && c.peerUsPerMsg() == null)) return "-";
        return (c.runnerUsPerMsg() == null ? "-" : us(c.runnerUsPerMsg())) + "/" + (c.peerUsPerMsg() == null ? "-" : us(c.peerUsPerMsg()));
    }

    private static String us(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String pct(double share) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }

    private static String integrity(Results.Integrity i) {
        return i == null ? "-" : i.sent() + "/" + i.lost() + "/" + i.reordered() + "/" + i.corrupt();
    }
}
