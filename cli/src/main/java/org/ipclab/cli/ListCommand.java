package org.ipclab.cli;

import java.io.PrintWriter;
import java.util.stream.Collectors;

import org.ipclab.core.ChannelProvider;
import org.ipclab.core.MechanismOption;
import org.ipclab.core.Providers;
import org.ipclab.core.Units;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "list", mixinStandardHelpOptions = true,
        description = {"List the mechanisms and what they can do.",
                "Availability (with the reason when not), maximum message, capabilities."})
final class ListCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Option(names = {"-v", "--verbose"}, description = "Also show each mechanism's options.")
    boolean verbose;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%-16s %-10s %-12s %s%n", "MECHANISM", "AVAILABLE", "MAX MESSAGE", "CAPABILITIES / DESCRIPTION");
        for (ChannelProvider p : Providers.all()) {
            String available = p.unavailableBecause().map(why -> "no").orElse("yes");
            String caps = p.capabilities().stream().map(c -> c.name().toLowerCase().replace('_', '-')).collect(Collectors.joining(" "));
            out.printf("%-16s %-10s %-12s %s%n", p.name(), available, Units.formatSize(p.maxMessageSize()), caps);
            out.printf("%-16s %-10s %-12s %s%n", "", "", "", p.description());
            p.unavailableBecause().ifPresent(why -> out.printf("%-16s %-10s %-12s why not: %s%n", "", "", "", why));
            if (verbose) {
                for (MechanismOption o : p.options()) {
                    out.printf("%-16s   --opt %s=...  %s (default: %s)%n", "", o.name(), o.description(), o.defaultValue());
                }
            }
        }
        out.flush();
    }
}
