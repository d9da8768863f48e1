package org.ipclab.signal;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.ipclab.core.BadInputException;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.IpcException;
import org.ipclab.core.MechanismOption;
import org.ipclab.core.io.IoRoute;

/**
 * How the real-time route's per-message calls ({@link RtCalls}) reach libc, chosen with the same
 * {@code --opt io=...} key the stream mechanisms use: {@link #JNR} (jnr-ffi) or {@link #FFM}
 * ({@code java.lang.foreign} downcalls, JDK 22+). Setting up — blocking the signals, SIG_IGN,
 * {@code posix_spawnp} of the peer — stays on JNR on both routes: it happens once per channel.
 */
enum SignalIo {
    JNR, FFM;

    static final String OPTION = IoRoute.OPTION;
    /** Only native access: unlike the stream route, nothing reads a JDK channel's descriptor. */
    static final List<String> FFM_FLAGS = List.of("--enable-native-access=ALL-UNNAMED");
    private static final int FFM_FEATURE = 22;
    private static final String FFM_CLASS = "org.ipclab.signal.FfmRtCalls";

    /**
     * The default: JNR on JDK 17-21 (FFM is not final there); FFM on 22+, where queue + wait + getppid
     * measured no slower than through jnr-ffi in one thread (the syscalls dominate either way).
     */
    static SignalIo defaultRoute() {
        return ffmUnavailable().isEmpty() ? FFM : JNR;
    }

    static MechanismOption option() {
        return MechanismOption.choice(OPTION, defaultRoute().label(),
                "route=rt only: how sigqueue/sigtimedwait reach libc: jnr = jnr-ffi; ffm = java.lang.foreign downcalls (JDK 22+)",
                "jnr", "ffm");
    }

    /** The route the spec asks for (or the default); refuses {@code io=ffm} where it cannot run, in one line. */
    static SignalIo of(ChannelSpec spec) {
        Optional<String> asked = spec.option(OPTION);
        if (asked.isEmpty()) return defaultRoute();
        SignalIo io;
        try {
            io = valueOf(asked.get().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadInputException("option " + OPTION + "=" + asked.get() + " is not one of jnr, ffm");
        }
        if (io == FFM) {
            ffmUnavailable().ifPresent(why -> {
                throw new BadInputException(why);
            });
        }
        return io;
    }

    /** Flags the peer JVM needs for the route this spec chooses. */
    static List<String> jvmFlags(ChannelSpec spec) {
        boolean ffm = spec.option(OPTION).map(v -> v.trim().equalsIgnoreCase("ffm")).orElse(defaultRoute() == FFM);
        return ffm && Runtime.version().feature() >= FFM_FEATURE ? FFM_FLAGS : List.of();
    }

    /** Why {@code io=ffm} cannot be used in this JVM, or empty when it can. */
    static Optional<String> ffmUnavailable() {
        return Holder.UNAVAILABLE;
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    RtCalls open(int dataSignal, int endSignal) throws IOException {
        return this == JNR ? new JnrRtCalls(dataSignal, endSignal) : Holder.ffm().open(dataSignal, endSignal);
    }

    /**
     * Whether FFM can run is known without linking anything: describing the mechanism (every
     * {@code ipc} command does) must not call a restricted method, which JDK 24+ warns about on
     * stderr unless the JVM was started with native access. The downcalls link on first {@link #open}.
     */
    private static final class Holder {
        private static final Optional<String> UNAVAILABLE = Optional.ofNullable(whyUnavailable());

        private static String whyUnavailable() {
            int feature = Runtime.version().feature();
            if (feature < FFM_FEATURE) return "io=ffm needs JDK " + FFM_FEATURE + "+, this is " + feature;
            try {
                Class.forName(FFM_CLASS, false, SignalIo.class.getClassLoader());
                return null;
            } catch (ClassNotFoundException e) {
                return "io=ffm: " + FFM_CLASS + " is missing (ipc-signal must be on the class path as its multi-release jar)";
            }
        }

        static RtCalls.Factory ffm() {
            UNAVAILABLE.ifPresent(why -> {
                throw new BadInputException(why);
            });
            return Holder::link;
        }

        /** Initialising the class links the downcalls, so a libc that lacks one is the reason it fails. */
        private static RtCalls link(int dataSignal, int endSignal) throws IpcException {
            try {
                Constructor<?> ctor = Class.forName(FFM_CLASS).getDeclaredConstructor(int.class, int.class);
                return (RtCalls) ctor.newInstance(dataSignal, endSignal);
            } catch (InvocationTargetException e) {
                throw new IpcException("io=ffm: could not set up the signal calls: " + e.getCause(), e.getCause());
            } catch (ReflectiveOperationException | LinkageError e) {
                Throwable cause = e instanceof ExceptionInInitializerError ? e.getCause() : e;
                throw new IpcException("io=ffm cannot link libc's signal calls: " + cause, cause);
            }
        }
    }
}
