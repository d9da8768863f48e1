package org.ipclab.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    /** The provider, checked to be available and to understand every option in the spec and its value. */
    public static ChannelProvider forSpec(ChannelSpec spec) {
        ChannelProvider p = get(spec.mechanism());
        check(p, spec);
        p.describe(spec).unavailableBecause().ifPresent(why -> {
            throw new BadInputException("mechanism '" + p.name() + "' is not available here: " + why);
        });
        return p;
    }

    /** The description of a checked spec. */
    public static MechanismInfo describe(ChannelSpec spec) {
        return forSpec(spec).describe(spec);
    }

    /** Refuses an option the mechanism does not have, or a value its type does not allow. */
    public static void check(ChannelProvider p, ChannelSpec spec) {
        List<MechanismOption> known = p.describe().options();
        for (Map.Entry<String, String> e : spec.options().entrySet()) {
            if (e.getKey().startsWith(ChannelSpec.INTERNAL_PREFIX)) continue; // set by the launcher, not by users
            MechanismOption option = known.stream().filter(o -> o.name().equals(e.getKey())).findFirst()
                    .orElseThrow(() -> new BadInputException("mechanism '" + p.name() + "' has no option '" + e.getKey() + "'"
                            + (known.isEmpty() ? " (it takes none)"
                            : " (known: " + known.stream().filter(MechanismOption::userFacing)
                            .map(MechanismOption::name).collect(Collectors.joining(", ")) + ")")));
            option.check(e.getValue());
        }
    }

    /** The subset of {@code options} (e.g. every {@code --opt} of a multi-mechanism run) that this provider understands. */
    public static ChannelSpec specFor(ChannelProvider p, Map<String, String> options) {
        Map<String, String> mine = new LinkedHashMap<>();
        MechanismInfo info = p.describe();
        options.forEach((k, v) -> {
            if (info.option(k).isPresent()) mine.put(k, v);
        });
        return ChannelSpec.of(p.name(), mine);
    }
}
