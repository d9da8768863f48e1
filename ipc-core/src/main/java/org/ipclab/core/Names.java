package org.ipclab.core;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of everything ipclab creates: {@code ipclab-<creator pid>-<purpose>-<random>}. The prefix
 * tells ours from anyone else's; the pid lets {@code ipc clean} tell a live run's objects from a
 * crashed run's leftovers.
 */
public final class Names {
    public static final String PREFIX = "ipclab-";
    private static final Pattern OURS = Pattern.compile("(?:sem\\.)?/?ipclab-(\\d+)-.*");
    private static final SecureRandom RANDOM = new SecureRandom();

    private Names() {
    }

    /** A fresh name such as {@code ipclab-4242-shm-k3x9q2}. */
    public static String unique(String purpose) {
        return PREFIX + ProcessHandle.current().pid() + '-' + purpose + '-' + random(6);
    }

    /** {@code n} random characters of [a-z0-9]: a name nobody can guess (and so plant a link under) in advance. */
    public static String random(int n) {
        StringBuilder sb = new StringBuilder(n);
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        for (int i = 0; i < n; i++) sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        return sb.toString();
    }

    /** The pid embedded in one of our names, or empty when the name is not ours. */
    public static OptionalLong creatorPid(String name) {
        Matcher m = OURS.matcher(name);
        if (!m.matches()) return OptionalLong.empty();
        try {
            return OptionalLong.of(Long.parseLong(m.group(1)));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** True when the name is ours and its creator no longer runs. */
    public static boolean isStale(String name) {
        OptionalLong pid = creatorPid(name);
        return pid.isPresent() && ProcessHandle.of(pid.getAsLong()).map(ph -> !ph.isAlive()).orElse(true);
    }

    /** The directory for our private directories: {@code java.io.tmpdir} (usually /tmp). */
    public static Path tempRoot() {
        return Path.of(System.getProperty("java.io.tmpdir", "/tmp"));
    }

    /** Creates a fresh owner-only (0700) directory under {@link #tempRoot()}. */
    public static Path privateDirectory(String purpose) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path dir = tempRoot().resolve(unique(purpose));
            try {
                return Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (FileAlreadyExistsException e) {
                if (attempt > 10) throw e;
            }
        }
    }
}
