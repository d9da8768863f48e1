package org.ipclab.mqueue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads one-number files under /proc/sys. Uses {@code readAllLines}: {@code Files.readString} and
 * {@code readAllBytes} returned only the first byte of these files on JDK 17 and 25.
 */
final class Proc {
    static final Path MQUEUE = Path.of("/proc/sys/fs/mqueue");

    private Proc() {
    }

    /** The number in the file, or {@code fallback} when it cannot be read. */
    static long number(Path file, long fallback) {
        try {
            List<String> lines = Files.readAllLines(file);
            return lines.isEmpty() ? fallback : Long.parseLong(lines.get(0).trim());
        } catch (IOException | NumberFormatException e) {
            return fallback;
        }
    }

    static String text(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return lines.isEmpty() ? "" : String.join(" ", lines).trim();
        } catch (IOException e) {
            return "unreadable (" + e.getMessage() + ")";
        }
    }

    static long mqueue(String name, long fallback) {
        return number(MQUEUE.resolve(name), fallback);
    }

    static long kernel(String name, long fallback) {
        return number(Path.of("/proc/sys/kernel", name), fallback);
    }
}
