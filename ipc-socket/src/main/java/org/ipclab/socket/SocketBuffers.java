package org.ipclab.socket;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.util.Map;
import java.util.Optional;

import org.ipclab.core.BadInputException;
import org.ipclab.core.ChannelSpec;

/**
 * {@code sndbuf}/{@code rcvbuf} options: requested with setsockopt, then read back, because the
 * kernel does not apply what it is asked: Linux doubles the value (room for its bookkeeping) and
 * caps the request at {@code net.core.wmem_max}/{@code rmem_max} for unprivileged sockets.
 */
final class SocketBuffers {
    private SocketBuffers() {
    }

    static void apply(NetworkChannel socket, ChannelSpec spec) throws IOException {
        Optional<String> snd = spec.option("sndbuf");
        if (snd.isPresent()) socket.setOption(StandardSocketOptions.SO_SNDBUF, size("sndbuf", spec));
        Optional<String> rcv = spec.option("rcvbuf");
        if (rcv.isPresent()) socket.setOption(StandardSocketOptions.SO_RCVBUF, size("rcvbuf", spec));
    }

    /** Records what the kernel set, next to what was asked, and warns when a request was capped. */
    static void report(NetworkChannel socket, ChannelSpec spec, Map<String, String> effective) throws IOException {
        int factor = jdkHalves(socket) ? 2 : 1;
        report("sndbuf", "SO_SNDBUF", factor * socket.getOption(StandardSocketOptions.SO_SNDBUF), spec, effective);
        report("rcvbuf", "SO_RCVBUF", factor * socket.getOption(StandardSocketOptions.SO_RCVBUF), spec, effective);
    }

    /**
     * The JDK's own sockets on Linux divide SO_SNDBUF/SO_RCVBUF by two on the way out, so that
     * "get after set" returns the value set (net_util_md.c); the kernel's real value, the one
     * {@code ss -m} shows as rb/tb, is twice that. junixsocket returns the kernel's value unchanged.
     */
    static boolean jdkHalves(NetworkChannel socket) {
        return socket.getClass().getName().startsWith("sun.nio.ch.");
    }

    private static void report(String key, String name, int actual, ChannelSpec spec, Map<String, String> effective) {
        effective.put(name, Integer.toString(actual));
        if (spec.option(key).isPresent()) {
            long asked = spec.size(key, 0);
            effective.put(name + " requested", Long.toString(asked));
            if (actual < 2 * asked) {
                System.err.println("ipc: warning: " + key + "=" + asked + " was capped: the kernel set " + actual
                        + " bytes, not 2 x " + asked + " (see /proc/sys/net/core/" + (key.equals("sndbuf") ? "wmem_max" : "rmem_max") + ")");
            }
        }
    }

    static int size(String key, ChannelSpec spec) {
        long v = spec.size(key, 0);
        if (v <= 0 || v > Integer.MAX_VALUE) throw new BadInputException(key + " " + v + " is out of range (1 .. " + Integer.MAX_VALUE + ")");
        return (int) v;
    }
}
