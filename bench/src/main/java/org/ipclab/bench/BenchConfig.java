package org.ipclab.bench;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.stream.Collectors;

import org.ipclab.core.BadInputException;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.Providers;
import org.ipclab.core.Units;
import org.ipclab.core.peer.PeerProtocol;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything a run is asked to do, immutable, printed at start and stored with the results.
 *
 * @param count messages per repeat; 0 means "as many as fit in {@code duration}"
 * @param rate  open-loop latency: messages per second on a fixed schedule; 0 means closed loop
 */
public record BenchConfig(List<String> mechanisms, List<Mode> modes, List<Integer> sizes,
                          Duration warmup, Duration duration, long count, int repeat,
                          Duration timeout, Map<String, String> options, double rate) {
    public BenchConfig(List<String> mechanisms, List<Mode> modes, List<Integer> sizes, Duration warmup,
                       Duration duration, long count, int repeat, Duration timeout, Map<String, String> options) {
        this(mechanisms, modes, sizes, warmup, duration, count, repeat, timeout, options, 0);
    }

    public BenchConfig {
        mechanisms = List.copyOf(mechanisms);
        modes = List.copyOf(modes);
        sizes = List.copyOf(sizes);
        options = Map.copyOf(options);
    }

    /**
     * The same run over fewer mechanisms (a placement that leaves some out). This config was
     * checked when it was built; a narrower one needs no new check, and must not get one: the
     * mechanisms of a default run are not "asked for", so a size over one's maximum stays a note.
     */
    public BenchConfig onlyMechanisms(List<String> names) {
        return new BenchConfig(names, modes, sizes, warmup, duration, count, repeat, timeout, options, rate);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Collects what a user asked for and refuses, before anything runs, what cannot be measured:
     * each refusal is a one-line {@link BadInputException} naming the value and the limit. The
     * limits come from the mechanisms' own descriptions.
     */
    public static final class Builder {
        private List<String> mechanisms = List.of();
        private boolean explicitMechanisms;
        private List<Mode> modes = List.of(Mode.LATENCY, Mode.THROUGHPUT);
        private List<Integer> sizes = List.of(64, 4 << 10, 64 << 10, 1 << 20);
        private Duration warmup = Duration.ofMillis(300);
        private Duration duration = Duration.ofMillis(500);
        private long count;
        private int repeat = 3;
        private Duration timeout = Duration.ofSeconds(10);
        private Map<String, String> options = Map.of();
        private double rate;

        /** The mechanisms a user named; when none are named, every one on the class path (unavailable ones become notes). */
        public Builder mechanisms(List<String> names) {
            this.mechanisms = List.copyOf(new LinkedHashSet<>(names));
            this.explicitMechanisms = !names.isEmpty();
            return this;
        }

        public Builder modes(List<Mode> modes) {
            this.modes = List.copyOf(modes);
            return this;
        }

        public Builder sizes(List<Integer> sizes) {
            this.sizes = List.copyOf(sizes);
            return this;
        }

        public Builder warmup(Duration d) {
            this.warmup = d;
            return this;
        }

        public Builder duration(Duration d) {
            this.duration = d;
            return this;
        }

        /** Messages per repeat instead of a duration; 0: use the duration. */
        public Builder count(long n) {
            this.count = n;
            return this;
        }

        public Builder repeat(int n) {
            this.repeat = n;
            return this;
        }

        public Builder timeout(Duration d) {
            this.timeout = d;
            return this;
        }

        public Builder options(Map<String, String> options) {
            this.options = Map.copyOf(options);
            return this;
        }

        /** Open-loop rate in messages per second; 0: closed loop. */
        public Builder rate(double perSecond) {
            this.rate = perSecond;
            return this;
        }

        public BenchConfig build() {
            List<ChannelProvider> providers = new ArrayList<>();
            if (explicitMechanisms) {
                for (String n : mechanisms) providers.add(Providers.get(n));
            } else {
                providers.addAll(Providers.all());
            }
            for (String key : options.keySet()) {
                if (providers.stream().noneMatch(p -> p.describe().option(key).isPresent())) {
                    throw new BadInputException("option '" + key + "' is not understood by "
                            + providers.stream().map(ChannelProvider::name).collect(Collectors.joining(", ")));
                }
            }
            for (ChannelProvider p : providers) {
                ChannelSpec spec = Providers.specFor(p, options);
                Providers.check(p, spec);
                MechanismInfo info = p.describe(spec);
                if (!explicitMechanisms) continue; // unavailable or too small for a size: a note in the plan, not an error
                info.unavailableBecause().ifPresent(why -> {
                    throw new BadInputException("mechanism '" + p.name() + "' is not available here: " + why);
                });
                if (!PeerProtocol.of(info).sinks()) continue; // a notification channel is measured at its own size
                for (int size : sizes) {
                    if (size > info.maxMessageSize()) {
                        throw new BadInputException("size " + Units.formatSize(size) + " (" + size + " bytes) is over the " + p.name()
                                + " maximum of " + Units.formatSize(info.maxMessageSize()) + " (" + info.maxMessageSize() + " bytes)");
                    }
                }
            }
            if (sizes.isEmpty()) throw new BadInputException("--sizes needs at least one size");
            for (int size : sizes) {
                if (size < PeerProtocol.CONTROL.minimumProbe()) {
                    throw new BadInputException("size " + size + " is too small: a benchmark message carries a "
                            + PeerProtocol.CONTROL.minimumProbe() + "-byte header (sequence, checksum, timestamp); use at least "
                            + PeerProtocol.CONTROL.minimumProbe());
                }
            }
            if (repeat < 1) throw new BadInputException("--repeat " + repeat + " must be at least 1");
            if (count < 0) throw new BadInputException("--count " + count + " must be at least 1");
            if (count == 0 && duration.isZero()) throw new BadInputException("--duration must be more than 0");
            if (timeout.isZero()) throw new BadInputException("--timeout must be more than 0");
            if (rate > 0 && !modes.contains(Mode.LATENCY)) throw new BadInputException("--rate applies to latency; drop --mode throughput");
            return new BenchConfig(providers.stream().map(ChannelProvider::name).toList(), modes, sizes, warmup, duration,
                    count, repeat, timeout, options, rate);
        }
    }
}
