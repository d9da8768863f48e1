package org.ipclab.jmh;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import org.ipclab.core.Capability;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.Providers;
import org.ipclab.core.peer.PeerProtocol;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The benchmarks jar's main: JMH's own command line, with the {@code mechanism} parameter of the
 * per-mechanism benchmarks filled in from the mechanisms' descriptions and each fork given the JVM
 * flags those mechanisms need. A new mechanism is measured here with no edit.
 *
 * <pre>
 * java -jar jmh/target/benchmarks.jar                      # everything
 * java -jar jmh/target/benchmarks.jar RoundTrip -p size=64 # JMH's usual options all work
 * java -jar jmh/target/benchmarks.jar -p mechanism=tcp     # a -p given here wins
 * java -jar jmh/target/benchmarks.jar --smoke              # one fork, one short iteration: CI's "does it still run"
 * </pre>
 */
public final class Suite {
    private Suite() {
    }

    /** Round trips to a peer process: reliable mechanisms that speak the control protocol. */
    static boolean forRoundTrips(MechanismInfo info) {
        return info.has(Capability.RELIABLE) && PeerProtocol.of(info).sinks();
    }

    /** Two threads of one JVM polling with try calls: mechanisms whose try calls never block and that unrelated ends can open. */
    static boolean forTwoThreads(MechanismInfo info) {
        return info.has(Capability.NON_BLOCKING_TRY) && !info.has(Capability.RELATED_PROCESSES_ONLY) && PeerProtocol.of(info).sinks();
    }

    public static void main(String[] args) throws RunnerException, CommandLineOptionException, java.io.IOException {
        boolean smoke = List.of(args).contains("--smoke");
        List<String> jmhArgs = new ArrayList<>(List.of(args));
        jmhArgs.remove("--smoke");
        CommandLineOptions cli = new CommandLineOptions(jmhArgs.toArray(new String[0]));
        if (cli.shouldHelp() || cli.shouldList() || cli.shouldListProfilers() || cli.shouldListResultFormats()) {
            org.openjdk.jmh.Main.main(jmhArgs.toArray(new String[0]));
            return;
        }
        List<MechanismInfo> available = new ArrayList<>();
        for (ChannelProvider p : Providers.all()) {
            MechanismInfo info = p.describe();
            if (info.available()) available.add(info);
        }
        ChainedOptionsBuilder options = new OptionsBuilder().parent(cli);
        Set<String> flags = new LinkedHashSet<>();
        // The smoke run takes one mechanism that sleeps while it waits: a busy-waiting one on a loaded CI machine measures the scheduler.
        flags.addAll(fill(options, cli, "mechanism", available,
                smoke ? m -> forRoundTrips(m) && !m.has(Capability.BUSY_WAITS) : Suite::forRoundTrips, smoke));
        if (!smoke) flags.addAll(fill(options, cli, "threaded", available, Suite::forTwoThreads, false));
        if (!flags.isEmpty()) options.jvmArgsAppend(flags.toArray(new String[0]));
        if (smoke) {
            options.include(RoundTripBenchmark.class.getSimpleName()).param("size", "64")
                    .forks(1).warmupIterations(0).measurementIterations(1)
                    .measurementTime(org.openjdk.jmh.runner.options.TimeValue.milliseconds(300));
        }
        Collection<org.openjdk.jmh.results.RunResult> results = new Runner(options.build()).run();
        if (smoke && results.isEmpty()) throw new RunnerException("the smoke run measured nothing");
    }

    /** Sets parameter {@code param} to the qualifying mechanisms unless the user gave it; returns the JVM flags they need. */
    private static Set<String> fill(ChainedOptionsBuilder options, CommandLineOptions cli, String param,
                                    List<MechanismInfo> available, Predicate<MechanismInfo> which, boolean justOne) {
        Set<String> flags = new LinkedHashSet<>();
        List<String> names;
        if (cli.getParameter(param).hasValue()) {
            names = new ArrayList<>(cli.getParameter(param).get());
        } else {
            names = available.stream().filter(which).map(MechanismInfo::name).toList();
            if (justOne && !names.isEmpty()) names = names.subList(0, 1);
            options.param(param, names.toArray(new String[0]));
        }
        for (String name : names) flags.addAll(Providers.get(name).describe().peerJvmFlags());
        return flags;
    }
}
