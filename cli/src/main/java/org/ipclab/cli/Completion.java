package org.ipclab.cli;

import java.util.ArrayList;
import java.util.List;

import org.ipclab.core.ChannelProvider;
import org.ipclab.core.Providers;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * picocli's generated completion script for bash (zsh runs the same script through bashcompinit),
 * with the mechanism names of every {@code --mechanism} option taken from the providers found by
 * ServiceLoader when the script is generated: a new mechanism module completes without a list to edit.
 */
final class Completion {
    static final List<String> SHELLS = List.of("bash", "zsh");

    private Completion() {
    }

    static String script(String shell) {
        CommandLine root = Main.commandLine();

        List<String> names = Providers.all().stream().map(ChannelProvider::name).toList();
        withCandidates(root, names);
        String bash = AutoComplete.bash("ipc", root);
        return shell.equals("zsh") ? "#compdef ipc\n# zsh: load with 'source' (uses bashcompinit, set up by the script itself)\n" + bash : bash;
    }

    /** Replaces each --mechanism option by a copy that names its candidates (the parsed fields stay bound). */
    static void withCandidates(CommandLine cl, List<String> names) {
        CommandSpec spec = cl.getCommandSpec();
        for (OptionSpec o : new ArrayList<>(spec.options())) {
            if (o.longestName().equals("--mechanism") && o.completionCandidates() == null) {
                spec.remove(o);
                spec.addOption(o.toBuilder().completionCandidates(names).build());
            }
        }
        cl.getSubcommands().values().stream().distinct().forEach(sub -> withCandidates(sub, names));
    }
}
