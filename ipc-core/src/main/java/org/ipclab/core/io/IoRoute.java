package org.ipclab.core.io;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.channels.ByteChannel;
import java.nio.channels.Channel;
import java.nio.channels.FileChannel;
import java.nio.channels.NetworkChannel;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.ipclab.core.BadInputException;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.MechanismOption;
import org.ipclab.core.io.jnr.JnrChannels;

/**
 * How a stream mechanism's bytes reach the kernel, chosen per channel with {@code --opt io=...}:
 * <ul>
 *   <li>{@link #NIO}: the JDK's {@code FileChannel}/{@code SocketChannel} (locks, thread registration
 *       for interruptible I/O, a temporary direct buffer for heap buffers);</li>
 *   <li>{@link #FFM}: {@code read}/{@code write} (sockets: {@code recv}/{@code send}) on the same
 *       descriptor through {@code java.lang.foreign} downcalls, nothing in between. JDK 22+ only: the
 *       classes live in ipc-core's multi-release jar under {@code META-INF/versions/22}.</li>
 *   <li>{@link #JNR}: the same calls through jnr-ffi's JNI stubs, on any JDK (17 included).</li>
 * </ul>
 * Both raw routes are one {@link FdChannel} over their {@link FdCalls}. The descriptor is the JDK
 * channel's own (it still opens, connects and finally closes it), read by reflection; hence the
 * {@code --add-opens} in {@link #jvmFlags}. The alternative, opening every socket natively, would
 * duplicate each provider's listen/accept/connect logic for one data path.
 */
public enum IoRoute {
    NIO, FFM, JNR;

    /** The option's name: {@code --opt io=ffm}. */
    public static final String OPTION = "io";
    /** What both raw routes need to read a JDK channel's descriptor. */
    public static final String ADD_OPENS = "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED";
    /**
     * What the raw routes need on the command line of every JVM that uses them on JDK 22+ (java -jar
     * ipc.jar has them in its manifest); below 22, JNR needs only {@link #ADD_OPENS}.
     */
    public static final List<String> FFM_FLAGS = List.of(ADD_OPENS, "--enable-native-access=ALL-UNNAMED");
    private static final int FFM_FEATURE = 22;
    private static final String FFM_FACTORY = "org.ipclab.core.io.ffm.FfmChannels";

    /**
     * The default: a raw route wherever this JVM may read a JDK channel's descriptor, since it makes
     * the system calls C makes and nothing around them (no NIO locks, no begin/end blocking
     * registration, no readiness poll before a datagram's receive): FFM on JDK 22+, JNR below (FFM
     * is not final there). On JDK 17, one CPU, 64 B round trips, JNR against NIO: udp 1.11 against
     * 1.33 of C, unix-dgram 1.13 against 1.17, the streams equal or better (docs/performance.md).
     * NIO where the descriptor is closed to this code (no {@link #ADD_OPENS}), so that a JVM started
     * without the flag still works, the way it always did.
     */
    public static IoRoute defaultRoute() {
        if (Runtime.version().feature() >= FFM_FEATURE) return ffmUnavailable().isEmpty() ? FFM : NIO;
        return descriptorsOpen() ? JNR : NIO;
    }

    /** Whether this JVM opens sun.nio.ch to this code ({@link #ADD_OPENS}): asked of the module system, no route loaded. */
    static boolean descriptorsOpen() {
        return Object.class.getModule().isOpen("sun.nio.ch", IoRoute.class.getModule());
    }

    /** The typed option every stream mechanism declares in its description. */
    public static MechanismOption option() {
        return MechanismOption.choice(OPTION, defaultRoute().label(),
                "how bytes reach the kernel: nio = JDK channels; ffm = raw read/write through java.lang.foreign (JDK 22+);"
                        + " jnr = the same raw calls through jnr-ffi",
                "nio", "ffm", "jnr");
    }

    /** The route the spec asks for (or the default); refuses a raw route where it cannot run, in one line. */
    public static IoRoute of(ChannelSpec spec) {
        Optional<String> asked = spec.option(OPTION);
        if (asked.isEmpty()) return defaultRoute();
        IoRoute route = named(asked.get()).orElseThrow(() -> new BadInputException(
                "option " + OPTION + "=" + asked.get() + " is not one of nio, ffm, jnr"));
        route.unavailable().ifPresent(why -> {
            throw new BadInputException(why);
        });
        return route;
    }

    /** Flags the peer JVM needs for the route this spec chooses. */
    public static List<String> jvmFlags(ChannelSpec spec) {
        IoRoute route = spec.option(OPTION).flatMap(IoRoute::named).orElse(defaultRoute());
        boolean jdk22 = Runtime.version().feature() >= FFM_FEATURE;
        switch (route) {
            case FFM: return jdk22 ? FFM_FLAGS : List.of();
            // On 22+ also native access: jffi loads a JNI library, which JDK 24+ warns about without it.
            case JNR: return jdk22 ? FFM_FLAGS : List.of(ADD_OPENS);
            default: return List.of();
        }
    }

    private static Optional<IoRoute> named(String label) {
        try {
            return Optional.of(valueOf(label.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Why {@code io=ffm} cannot be used in this JVM, or empty when it can. */
    public static Optional<String> ffmUnavailable() {
        return FFM.unavailable();
    }

    /** Why this route cannot be used in this JVM, or empty when it can. */
    public Optional<String> unavailable() {
        switch (this) {
            case FFM: return FfmHolder.ROUTE.unavailable;
            case JNR: return JnrHolder.ROUTE.unavailable;
            default: return Optional.empty();
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The channel to hand to {@link org.ipclab.core.StreamChannel}: {@code jdk} itself for NIO; for
     * a raw route a {@link RawChannel} on its descriptor that closes {@code jdk} when it is closed.
     */
    public ByteChannel wrap(ByteChannel jdk) throws IOException {
        return this == NIO ? jdk : factory().wrap(jdk, jdk instanceof NetworkChannel);
    }

    /** For a stream the JDK hands out as a read-only or write-only {@link FileChannel}. */
    public ByteChannel wrap(FileChannel jdk) throws IOException {
        return this == NIO ? jdk : factory().wrap(jdk, false);
    }

    /**
     * For a datagram socket that the caller keeps and closes (its server end reuses it): null for
     * NIO; for a raw route recv/send on its descriptor, whose close touches neither the socket nor its calls.
     */
    public RawChannel datagram(java.nio.channels.DatagramChannel jdk) throws IOException {
        return this == NIO ? null : factory().datagram(jdk);
    }

    /** The same for a socket known by its descriptor (junixsocket's, whose channels are not the JDK's). */
    public RawChannel datagram(int fd) throws IOException {
        return this == NIO ? null : factory().datagram(fd);
    }

    private Factory factory() {
        Loaded loaded = this == FFM ? FfmHolder.ROUTE : JnrHolder.ROUTE;
        if (loaded.factory == null) throw new BadInputException(loaded.unavailable.orElse(OPTION + "=" + label() + " unavailable"));
        return loaded.factory;
    }

    /** A raw route: {@link FdChannels} over its calls (FFM's in the JDK 22+ part of the jar). */
    public interface Factory {
        /** @param socket recv/send and shutdown(2) to wake a blocked call; else read/write and a pipe wake-up */
        RawChannel wrap(Channel jdk, boolean socket) throws IOException;

        /** recv/send on the socket's descriptor; the socket stays the caller's. */
        RawChannel datagram(Channel jdk) throws IOException;

        RawChannel datagram(int fd);

        /** Null when this JVM can run the route, else the one-line reason. */
        String unavailableBecause();
    }

    /** A raw route's factory, or why there is none; loaded on first use of the route. */
    private static final class Loaded {
        final Factory factory;
        final Optional<String> unavailable;

        Loaded(Factory factory, String why) {
            this.factory = why == null ? factory : null;
            this.unavailable = Optional.ofNullable(why);
        }
    }

    private static final class FfmHolder {
        static final Loaded ROUTE = load();

        private static Loaded load() {
            int feature = Runtime.version().feature();
            if (feature < FFM_FEATURE) return new Loaded(null, "io=ffm needs JDK " + FFM_FEATURE + "+, this is " + feature);
            try {
                Factory f = (Factory) Class.forName(FFM_FACTORY).getConstructor().newInstance();
                return new Loaded(f, f.unavailableBecause());
            } catch (ClassNotFoundException e) {
                return new Loaded(null, "io=ffm: " + FFM_FACTORY + " is missing (ipc-core must be on the class path as its multi-release jar)");
            } catch (ReflectiveOperationException | LinkageError e) {
                Throwable cause = e instanceof InvocationTargetException ? e.getCause() : e;
                return new Loaded(null, "io=ffm cannot start: " + cause);
            }
        }
    }

    private static final class JnrHolder {
        static final Loaded ROUTE = load();

        private static Loaded load() {
            try {
                Factory f = new JnrChannels();
                return new Loaded(f, f.unavailableBecause());
            } catch (LinkageError e) {
                return new Loaded(null, "io=jnr cannot start (is jnr-ffi on the class path?): " + e);
            }
        }
    }
}
