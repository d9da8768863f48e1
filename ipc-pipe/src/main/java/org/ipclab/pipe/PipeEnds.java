package org.ipclab.pipe;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.ipclab.core.IpcException;

/**
 * Turns a pipe descriptor we already hold into a JDK {@link FileChannel}, the kind of channel
 * whose {@code close()} wakes a thread blocked in {@code read}/{@code write} (so timeouts work).
 *
 * <p>The route is {@code /proc/self/fd/N}: opening that "magic link" to a pipe opens the same
 * kernel pipe again, with FIFO rules. A plain {@code open(O_RDONLY)} would block while the pipe
 * has no writer (and {@code O_WRONLY} while it has no reader) — forever if the child is already
 * gone. So we first open it {@code O_RDWR}, which never blocks on Linux and makes us both a reader
 * and a writer for a moment, then open the direction we want (which now cannot block), then close
 * the {@code O_RDWR} anchor. The net result is one extra descriptor with the right direction and
 * no stray reader or writer that would hide EOF or EPIPE from us.
 */
public final class PipeEnds {
    private PipeEnds() {
    }

    /** {@code /proc/self/fd/N}. */
    public static Path selfFd(int fd) {
        return Path.of("/proc/self/fd", Integer.toString(fd));
    }

    /** Opens another descriptor on the pipe behind {@code fdLink}, in one direction, without blocking. */
    @SuppressWarnings("try") // the anchor is held open, never used
    public static FileChannel reopen(Path fdLink, boolean forWrite) throws IOException {
        try (FileChannel anchor = FileChannel.open(fdLink, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return FileChannel.open(fdLink, forWrite ? StandardOpenOption.WRITE : StandardOpenOption.READ);
        }
    }

    /** What {@code /proc/<pid>/fd/<fd>} points to: {@code pipe:[123456]}, {@code /dev/null}, {@code socket:[...]}. */
    public static String target(long pid, int fd) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "fd", Integer.toString(fd))).toString();
    }

    /** Our descriptors that point to {@code target} (e.g. {@code pipe:[123456]}), lowest first. */
    public static List<Integer> ourDescriptorsFor(String target) throws IOException {
        List<Integer> found = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path p : fds) {
                try {
                    if (Files.readSymbolicLink(p).toString().equals(target)) found.add(Integer.parseInt(p.getFileName().toString()));
                } catch (IOException | NumberFormatException vanished) {
                    // The directory stream's own descriptor, or one closed meanwhile.
                }
            }
        }
        found.sort(null);
        return found;
    }

    /** The one descriptor of ours on the pipe {@code target}; an error if there is none or more than one. */
    public static int ourOnlyDescriptorFor(String target, String what) throws IOException {
        List<Integer> fds = ourDescriptorsFor(target);
        if (fds.size() != 1) {
            throw new IpcException("pipe: expected exactly one descriptor of ours on " + what + " " + target + ", found " + fds);
        }
        return fds.get(0);
    }

    /** {@code /proc/self/fd} entries that are pipes, as {@code fd -> pipe:[inode]} lines. */
    public static List<String> pipeDescriptors(long pid) throws IOException {
        List<String> lines = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            List<Path> sorted = new ArrayList<>();
            fds.forEach(sorted::add);
            sorted.sort((a, b) -> Integer.compare(num(a), num(b)));
            for (Path p : sorted) {
                try {
                    String t = Files.readSymbolicLink(p).toString();
                    if (t.startsWith("pipe:")) lines.add(p.getFileName() + " -> " + t);
                } catch (IOException vanished) {
                    // closed meanwhile
                }
            }
        }
        return lines;
    }

    /** Every {@code /proc/<pid>/fd} entry, as {@code fd -> target} lines. */
    public static List<String> pipeDescriptorsAndOthers(long pid) throws IOException {
        List<String> lines = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            List<Path> sorted = new ArrayList<>();
            fds.forEach(sorted::add);
            sorted.sort((a, b) -> Integer.compare(num(a), num(b)));
            for (Path p : sorted) {
                try {
                    lines.add(p.getFileName() + " -> " + Files.readSymbolicLink(p));
                } catch (IOException vanished) {
                    // closed meanwhile
                }
            }
        }
        return lines;
    }

    private static int num(Path p) {
        try {
            return Integer.parseInt(p.getFileName().toString());
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }
}
