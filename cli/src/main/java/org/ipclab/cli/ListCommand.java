package org.ipclab.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.stream.Collectors;

import org.ipclab.core.ChannelProvider;
import org.ipclab.core.MechanismInfo;
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
            MechanismInfo info = p.describe();
            String available = info.available() ? "yes" : "no";
            String caps = info.capabilitiesInOrder().stream().map(c -> c.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                    .collect(Collectors.joining(" "));
            out.printf("%-16s %-10s %-12s %s%n", info.name(), available, Units.formatSize(info.maxMessageSize()), caps);
            out.printf("%-16s %-10s %-12s %s%n", "", "", "", info.description());
            info.unavailableBecause().ifPresent(why -> out.printf("%-16s %-10s %-12s why not: %s%n", "", "", "", why));
            if (verbose) {
                for (MechanismOption o : info.options()) {
                    if (!o.userFacing()) continue;
                    out.printf("%-16s   --opt %s=%s  %s%s%s%n", "", o.name(), o.valueLabel(), o.help(),
                            o.defaultValue().map(d -> " (default: " + d + ")").orElse(""),
                            o.shortcuts().isEmpty() ? "" : "; also " + String.join(", ", o.shortcuts()));
                }
                info.nativeProgram().ifPresent(c -> out.printf("%-16s   C baseline: ipclab-native %s%n", "", c));
            }
        }
        out.flush();
    }
}
