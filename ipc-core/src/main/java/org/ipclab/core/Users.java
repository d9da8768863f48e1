package org.ipclab.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/** Who we are and who owns a file: uids as the kernel sees them ({@code /proc/self/status}, {@code lstat}). */
public final class Users {
    private static final int UID = effectiveUid();

    private Users() {
    }

    /** Our effective uid: what the kernel checks when we create or remove something. */
    public static int uid() {
        return UID;
    }

    public static boolean isRoot() {
        return UID == 0;
    }

    /** The owner of {@code path} itself (a symbolic link is not followed), or -1 when it is gone. */
    public static int ownerOf(Path path) {
        try {
            return (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** {@code uid 65534 (nobody)}, or {@code uid 1234} when /etc/passwd does not know it. */
    public static String describe(int uid) {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] f = line.split(":", 4);
                if (f.length >= 3 && f[2].equals(Integer.toString(uid))) return "uid " + uid + " (" + f[0] + ")";
            }
        } catch (IOException | RuntimeException ignored) {
            // no name then
        }
        return "uid " + uid;
    }

    private static int effectiveUid() {
        try {
            List<String> status = Files.readAllLines(Path.of("/proc/self/status"));
            for (String line : status) {
                if (line.startsWith("Uid:")) return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
            }
        } catch (IOException | RuntimeException ignored) {
            // fall through
        }
        throw new IllegalStateException("cannot read our uid from /proc/self/status");
    }
}
