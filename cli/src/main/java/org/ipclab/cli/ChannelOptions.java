package org.ipclab.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.ipclab.core.BadInputException;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.MechanismOption;
import org.ipclab.core.Providers;

import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * Mechanism options shared by bench, serve and connect: {@code --opt key=value}, and a flag for
 * every option some mechanism offers as a shortcut ({@code --port 5000}, {@code --path DIR}). The
 * shortcut flags are read from the mechanisms' descriptions when the command line is built, so
 * no option name is written here.
 */
final class ChannelOptions {
    @Option(names = "--opt", paramLabel = "KEY=VALUE",
            description = "A mechanism option, repeatable (see 'ipc list --verbose'), e.g. --opt no-delay=false")
    Map<String, String> options = new LinkedHashMap<>();

    /** Values given through shortcut flags, by option name. */
    private final Map<String, String> shortcuts = new LinkedHashMap<>();

    /** A command with these options. */
    interface User {
        ChannelOptions channelOptions();
    }

    /** Adds a flag for every shortcut the mechanisms declare to each subcommand that uses these options. */
    static void install(CommandLine root) {
        Map<String, MechanismOption> byFlag = new LinkedHashMap<>();
        for (ChannelProvider p : Providers.all()) {
            for (MechanismOption o : p.describe().options()) {
                if (!o.shortcuts().isEmpty()) byFlag.putIfAbsent(o.name(), o);
            }
        }
        for (CommandLine sub : root.getSubcommands().values()) {
            if (!(sub.getCommand() instanceof User)) continue;
            ChannelOptions target = ((User) sub.getCommand()).channelOptions();
            for (MechanismOption o : byFlag.values()) {
                String[] names = o.shortcuts().toArray(new String[0]);
                sub.getCommandSpec().addOption(OptionSpec.builder(names)
                        .paramLabel(o.name().toUpperCase())
                        .type(String.class)
                        .description(o.help() + " (same as --opt " + o.name() + "=" + o.name().toUpperCase() + ")")
                        .setter(new CommandLine.Model.ISetter() {
                            @Override
                            public <T> T set(T value) {
                                if (value != null) target.shortcuts.put(o.name(), (String) value);
                                return null;
                            }
                        })
                        .build());
            }
        }
    }

    Map<String, String> toMap() {
        Map<String, String> all = new LinkedHashMap<>(options);
        shortcuts.forEach((key, value) -> {
            String before = all.put(key, value);
            if (before != null && !before.equals(value)) {
                throw new BadInputException("--" + key + " " + value + " contradicts --opt " + key + "=" + before);
            }
        });
        return all;
    }

    /** The shortcut flags of an option, for printing a command line a user can copy ("--port 5000"), else empty. */
    static List<String> shortcutsOf(String mechanism, String option) {
        return Providers.get(mechanism).describe().option(option).map(MechanismOption::shortcuts).orElse(List.of());
    }
}
