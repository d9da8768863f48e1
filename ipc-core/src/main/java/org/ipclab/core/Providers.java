package org.ipclab.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/** The mechanisms on the class path, found by {@link ServiceLoader}. */
public final class Providers {
    private Providers() {
    }

    public static List<ChannelProvider> all() {
        List<ChannelProvider> list = new ArrayList<>();
        ServiceLoader.load(ChannelProvider.class).forEach(list::add);
        list.sort(Comparator.comparing(ChannelProvider::name));
        return list;
    }

    /** The provider called {@code name}; an unknown name is bad input that lists the known ones. */
    public static ChannelProvider get(String name) {
        List<ChannelProvider> all = all();
        return all.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new BadInputException("unknown mechanism '" + name + "' (known: "
                        + all.stream().map(ChannelProvider::name).collect(Collectors.joining(", ")) + ")"));
    }

    /** The provider, checked to be available and to understand every option in the spec. */
    public static ChannelProvider forSpec(ChannelSpec spec) {
        ChannelProvider p = get(spec.mechanism());
        p.unavailableBecause().ifPresent(why -> {
            throw new BadInputException("mechanism '" + p.name() + "' is not available here: " + why);
        });
        List<String> known = p.options().stream().map(MechanismOption::name).collect(Collectors.toList());
        for (String key : spec.options().keySet()) {
            if (key.startsWith("ipclab.")) continue; // set by the launcher, not by users
            if (!known.contains(key)) {
                throw new BadInputException("mechanism '" + p.name() + "' has no option '" + key + "'"
                        + (known.isEmpty() ? " (it takes none)" : " (known: " + String.join(", ", known) + ")"));
            }
        }
        return p;
    }
}
