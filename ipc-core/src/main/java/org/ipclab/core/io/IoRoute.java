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

/**
 * How a stream mechanism's bytes reach the kernel, chosen per channel with {@code --opt io=...}:
 * <ul>
 *   <li>{@link #NIO}: the JDK's {@code FileChannel}/{@code SocketChannel} (locks, thread registration
 *       for interruptible I/O, a temporary direct buffer for heap buffers);</li>
 *   <li>{@link #FFM}: {@code read}/{@code write} (sockets: {@code recv}/{@code send}) on the same
 *       descriptor through {@code java.lang.foreign} downcalls, nothing in between. JDK 22+ only: the
 *       classes live in ipc-core's multi-release jar under {@code META-INF/versions/22}.</li>
 * </ul>
 * The descriptor is the JDK channel's own (it still opens, connects and finally closes it), read
 * by reflection; hence the {@code --add-opens} in {@link #jvmFlags}. The alternative, opening every
 * socket through FFM, would duplicate each provider's listen/accept/connect logic for one data path.
 */
public enum IoRoute {
    NIO, FFM;

    /** The option's name: {@code --opt io=ffm}. */
    public static final String OPTION = "io";
    /** What the FFM route needs on the command line of every JVM that uses it (java -jar ipc.jar has them in its manifest). */
    public static final List<String> FFM_FLAGS = List.of(
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--enable-native-access=ALL-UNNAMED");
    private static final int FFM_FEATURE = 22;
    private static final String FACTORY = "org.ipclab.core.io.ffm.FfmChannels";

    /**
     * The default: NIO on JDK 17-21 (FFM is not final there); FFM on 22+, where it costs fewer
     * instructions per call (no NIO locks, no begin/end blocking registration) for the same syscall.
     */
    public static IoRoute defaultRoute() {
        return ffmUnavailable().isEmpty() ? FFM : NIO;
    }

    /** The typed option every stream mechanism declares in its description. */
    public static MechanismOption option() {
        return MechanismOption.choice(OPTION, defaultRoute().label(),
                "how bytes reach the kernel: nio = JDK channels; ffm = raw read/write through java.lang.foreign (JDK 22+)",
                "nio", "ffm");
    }

    /** The route the spec asks for (or the default); refuses {@code io=ffm} where it cannot run, in one line. */
    public static IoRoute of(ChannelSpec spec) {
        Optional<String> asked = spec.option(OPTION);
        if (asked.isEmpty()) return defaultRoute();
        IoRoute route;
        try {
            route = valueOf(asked.get().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadInputException("option " + OPTION + "=" + asked.get() + " is not one of nio, ffm");
        }
        if (route == FFM) {
            ffmUnavailable().ifPresent(why -> {
                throw new BadInputException(why);
            });
        }
        return route;
    }

    /** Flags the peer JVM needs for the route this spec chooses. */
    public static List<String> jvmFlags(ChannelSpec spec) {
        boolean ffm = spec.option(OPTION).map(v -> v.equalsIgnoreCase("ffm")).orElse(defaultRoute() == FFM);
        return ffm && Runtime.version().feature() >= FFM_FEATURE ? FFM_FLAGS : List.of();
    }

    /** Why {@code io=ffm} cannot be used in this JVM, or empty when it can. */
    public static Optional<String> ffmUnavailable() {
        return Holder.UNAVAILABLE;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The channel to hand to {@link org.ipclab.core.StreamChannel}: {@code jdk} itself for NIO; for
     * FFM a {@link RawChannel} on its descriptor that closes {@code jdk} when it is closed.
     */
    public ByteChannel wrap(ByteChannel jdk) throws IOException {
        return this == NIO ? jdk : Holder.factory().wrap(jdk, jdk instanceof NetworkChannel);
    }

    /** For a stream the JDK hands out as a read-only or write-only {@link FileChannel}. */
    public ByteChannel wrap(FileChannel jdk) throws IOException {
        return this == NIO ? jdk : Holder.factory().wrap(jdk, false);
    }

    /**
     * For a datagram socket that the caller keeps and closes (its server end reuses it): null for
     * NIO; for FFM recv/send on its descriptor, whose close touches neither the socket nor its calls.
     */
    public RawChannel datagram(java.nio.channels.DatagramChannel jdk) throws IOException {
        return this == NIO ? null : Holder.factory().datagram(jdk);
    }

    /** The same for a socket known by its descriptor (junixsocket's, whose channels are not the JDK's). */
    public RawChannel datagram(int fd) throws IOException {
        return this == NIO ? null : Holder.factory().datagram(fd);
    }

    /** Implemented in the JDK 22+ part of the jar. */
    public interface Factory {
        /** @param socket recv/send and shutdown(2) to wake a blocked call; else read/write and a pipe wake-up */
        RawChannel wrap(Channel jdk, boolean socket) throws IOException;

        /** recv/send on the socket's descriptor; the socket stays the caller's. */
        RawChannel datagram(Channel jdk) throws IOException;

        RawChannel datagram(int fd);

        /** Null when this JVM can run the route, else the one-line reason. */
        String unavailableBecause();
    }

    private static final class Holder {
        private static final Factory FACTORY_INSTANCE;
        private static final Optional<String> UNAVAILABLE;

        static {
            Factory f = null;
            String why;
            int feature = Runtime.version().feature();
            if (feature < FFM_FEATURE) {
                why = "io=ffm needs JDK " + FFM_FEATURE + "+, this is " + feature;
            } else {
                try {
                    f = (Factory) Class.forName(FACTORY).getConstructor().newInstance();
                    why = f.unavailableBecause();
                } catch (ClassNotFoundException e) {
                    why = "io=ffm: " + FACTORY + " is missing (ipc-core must be on the class path as its multi-release jar)";
                } catch (ReflectiveOperationException | LinkageError e) {
                    Throwable cause = e instanceof InvocationTargetException ? e.getCause() : e;
                    why = "io=ffm cannot start: " + cause;
                }
            }
            FACTORY_INSTANCE = why == null ? f : null;
            UNAVAILABLE = Optional.ofNullable(why);
        }

        static Factory factory() {
            if (FACTORY_INSTANCE == null) throw new BadInputException(UNAVAILABLE.orElse("io=ffm unavailable"));
            return FACTORY_INSTANCE;
        }
    }
}
