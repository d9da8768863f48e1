package org.ipclab.socket.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The kernel's view that the socket demos print: /proc/net/{unix,tcp,udp}, /proc/PID/fd, file types. */
final class ProcView {
    private ProcView() {
    }

    /** TCP states as numbered in include/net/tcp_states.h (the "st" column of /proc/net/tcp). */
    static final String[] TCP_STATES = {"?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
            "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"};

    /** Lines of /proc/net/unix whose path column contains {@code needle}. */
    static List<String> unixLines(String needle) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/net/unix"))) {
            if (line.contains(needle)) out.add(line.trim());
        }
        return out;
    }

    /** "127.0.0.1:41234 -> 127.0.0.1:55012 ESTABLISHED" for every /proc/net/tcp line that involves {@code port}. */
    static List<String> tcpStates(int port) throws IOException {
        List<String> out = new ArrayList<>();
        String hex = String.format(Locale.ROOT, ":%04X", port);
        for (String line : Files.readAllLines(Path.of("/proc/net/tcp"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 4 || f[0].equals("sl")) continue;
            if (!f[1].endsWith(hex) && !f[2].endsWith(hex)) continue;
            int st = Integer.parseInt(f[3], 16);
            out.add(String.format(Locale.ROOT, "%-21s -> %-21s %s", addr(f[1]), addr(f[2]), st < TCP_STATES.length ? TCP_STATES[st] : f[3]));
        }
        return out;
    }

    /** "0100007F:A0F2" → "127.0.0.1:41202" (IPv4, little-endian address as the kernel prints it). */
    static String addr(String hex) {
        String[] p = hex.split(":");
        long a = Long.parseLong(p[0], 16);
        return (a & 0xff) + "." + ((a >> 8) & 0xff) + "." + ((a >> 16) & 0xff) + "." + ((a >> 24) & 0xff) + ":" + Integer.parseInt(p[1], 16);
    }

    /** Our /proc/self/fd entries that are sockets: "fd 12 -> socket:[81234]". */
    static List<String> socketFds() throws IOException {
        List<String> out = new ArrayList<>();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:")) out.add("fd " + fd.getFileName() + " -> " + target);
                } catch (IOException gone) {
                    // the descriptor of the listing itself
                }
            }
        }
        out.sort(null);
        return out;
    }

    /** Like the first column of ls -l: "srw-------" for a socket file. */
    static String lsMode(Path p) throws IOException {
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        char type;
        switch (mode & 0170000) {
            case 0140000: type = 's'; break;
            case 0040000: type = 'd'; break;
            case 0010000: type = 'p'; break;
            case 0120000: type = 'l'; break;
            default: type = '-';
        }
        StringBuilder sb = new StringBuilder().append(type);
        String rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) sb.append((mode & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
        return sb.toString();
    }

    static long uid() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    }

    static long gid() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:gid")).longValue();
    }
}
