package org.ipclab.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.IntFunction;

import org.ipclab.core.BadInputException;
import org.ipclab.core.Capability;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ExitCleanup;
import org.ipclab.core.Providers;

/**
 * Placement as an axis of the matrix: {@code same-cpu} (both processes on one CPU: every exchange
 * is a context switch on that CPU), {@code cross-cpu} (two CPUs that share no SMT sibling: every
 * exchange is a wake-up across cores), {@code both} (the matrix under each), {@code unpinned} (the
 * scheduler decides). The Java pair and the C pair are placed alike; each row says where it ran,
 * and the counters echo the CPUs the kernel allowed and the CPUs the threads ran on.
 */
public final class PlacementAxis {
    /** One value of the axis: its label ("same-cpu 0,0") and the placement it applies. */
    public record Choice(String label, Placement placement, boolean sameCpu) {
    }

    public static final List<String> NAMES = List.of("same-cpu", "cross-cpu", "both", "unpinned");

    private final List<Results.Measurement> done = Collections.synchronizedList(new ArrayList<>());
    private final List<String> notes = Collections.synchronizedList(new ArrayList<>());
    private volatile Benchmark current;
    private volatile Choice currentChoice;

    /** The placements a name stands for, with CPUs picked from those this process may use. */
    public static List<Choice> parse(String name) {
        List<Integer> allowed = allowedCpus();
        switch (name) {
            case "unpinned": return List.of(new Choice("unpinned", Placement.none(), false));
            case "same-cpu": return List.of(same(allowed));
            case "cross-cpu": return List.of(cross(allowed, PlacementAxis::siblings));
            case "both": return List.of(same(allowed), cross(allowed, PlacementAxis::siblings));
            default: throw new BadInputException("--placement '" + name + "' is not one of " + String.join(", ", NAMES));
        }
    }

    /**
     * The placements of a run that names none: both, so that no same-CPU figure is ever compared
     * with a cross-CPU one by accident; on a machine with one usable CPU (or only SMT siblings),
     * same-cpu alone, since the scheduler can place nothing else there.
     */
    public static List<Choice> byDefault() {
        List<Integer> allowed = allowedCpus();
        try {
            return List.of(same(allowed), cross(allowed, PlacementAxis::siblings));
        } catch (BadInputException oneCore) {
            return List.of(same(allowed));
        }
    }

    private static Choice same(List<Integer> allowed) {
        int cpu = allowed.get(0);
        return new Choice("same-cpu " + cpu + "," + cpu, Placement.parse(cpu + "," + cpu), true);
    }

    /** Two allowed CPUs that are not SMT siblings of each other; refused with the reason when there are none. */
    static Choice cross(List<Integer> allowed, IntFunction<List<Integer>> siblingsOf) {
        int[] pair = crossPair(allowed, siblingsOf);
        return new Choice("cross-cpu " + pair[0] + "," + pair[1], Placement.parse(pair[0] + "," + pair[1]), false);
    }

    /** The first two allowed CPUs that are not SMT siblings of each other. */
    static int[] crossPair(List<Integer> allowed, IntFunction<List<Integer>> siblingsOf) {
        for (int a : allowed) {
            for (int b : allowed) {
                if (b <= a) continue;
                if (!siblingsOf.apply(a).contains(b)) return new int[] {a, b};
            }
        }
        throw new BadInputException("--placement cross-cpu needs two CPUs that are not SMT siblings; this process may use "
                + allowed + (allowed.size() < 2 ? "" : ", all siblings of each other"));
    }

    /** The CPUs this process may run on (Cpus_allowed_list of /proc/self/status), e.g. [0, 1]. */
    static List<Integer> allowedCpus() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Cpus_allowed_list:")) return cpuList(line.substring(line.indexOf(':') + 1));
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall back to the count the JVM sees
        }
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) all.add(i);
        return all;
    }

    /** "0-3,6,8-9" → [0, 1, 2, 3, 6, 8, 9]: the kernel's CPU list format. */
    public static List<Integer> cpuList(String text) {
        TreeSet<Integer> cpus = new TreeSet<>();
        for (String part : text.strip().split(",")) {
            if (part.isBlank()) continue;
            int dash = part.indexOf('-');
            if (dash < 0) {
                cpus.add(Integer.parseInt(part.strip()));
            } else {
                int from = Integer.parseInt(part.substring(0, dash).strip());
                int to = Integer.parseInt(part.substring(dash + 1).strip());
                for (int c = from; c <= to; c++) cpus.add(c);
            }
        }
        return List.copyOf(cpus);
    }

    /** The SMT siblings of a CPU (itself included), from sysfs; just itself when sysfs does not say. */
    static List<Integer> siblings(int cpu) {
        try {
            List<String> l = Files.readAllLines(Path.of("/sys/devices/system/cpu/cpu" + cpu + "/topology/thread_siblings_list"));
            if (!l.isEmpty()) return cpuList(l.get(0));
        } catch (IOException | RuntimeException e) {
            // no topology: treat each CPU as its own core
        }
        return List.of(cpu);
    }

    /**
     * Runs the matrix once per placement. Busy-waiting mechanisms are left out of a same-CPU
     * placement with a note saying why: two spinning processes on one CPU measure the scheduler's
     * time slice, not the mechanism.
     *
     * @param benchmarks a fresh, placed benchmark (with its C baseline placed alike) for a placement
     */
    public Results.Report run(List<Choice> choices, BenchConfig cfg, Map<String, String> environment, String version,
                              String startedAt, Function<Placement, Benchmark> benchmarks) throws IOException {
        for (Choice c : choices) {
            if (ExitCleanup.shuttingDown()) break;
            BenchConfig placed = cfg;
            if (c.sameCpu()) {
                List<String> keep = new ArrayList<>();
                for (String name : cfg.mechanisms()) {
                    ChannelProvider p = Providers.get(name);
                    if (p.describe(Providers.specFor(p, cfg.options())).has(Capability.BUSY_WAITS)) {
                        notes.add(name + ": not measured " + c.label() + ": it busy-waits in both processes, and two spinning"
                                + " processes on one CPU measure the scheduler's time slice (milliseconds), not the mechanism");
                    } else {
                        keep.add(name);
                    }
                }
                if (keep.isEmpty()) continue;
                placed = cfg.onlyMechanisms(keep);
            }
            c.placement().pinRunner();
            Benchmark b = benchmarks.apply(c.placement());
            currentChoice = c;
            current = b;
            Results.Report r = b.run(placed, environment, version);
            for (Results.Measurement m : r.measurements()) done.add(m.withPlacement(c.label()));
            for (String n : r.notes()) if (!notes.contains(n)) notes.add(n);
            current = null;
        }
        return report(cfg, environment, version, startedAt, false);
    }

    /** Everything measured so far over all placements, e.g. when the run is interrupted. */
    public Results.Report report(BenchConfig cfg, Map<String, String> environment, String version, String startedAt, boolean partial) {
        List<Results.Measurement> all = new ArrayList<>(done);
        Benchmark b = current;
        Choice c = currentChoice;
        if (b != null && c != null) {
            for (Results.Measurement m : b.report(cfg, environment, version, startedAt, true).measurements()) {
                all.add(m.withPlacement(c.label()));
            }
        }
        return new Results.Report("ipclab", version, startedAt, environment, cfg, List.copyOf(all), List.copyOf(notes), partial);
    }

    /** "both: same-cpu 0,0 then cross-cpu 0,1 (taskset; Java and C alike)". */
    public static String describe(String name, List<Choice> choices) {
        return name + ": " + String.join(" then ", choices.stream().map(Choice::label).toList()) + " (taskset; Java and C alike)";
    }
}
