package org.ipclab.labs;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.ipclab.core.BadInputException;

/**
 * Where a task's JVM runs. {@link #NONE}: as the user who grades, with their files, network and /tmp
 * (fine for a student checking their own code). {@link #isolated()}, for a teacher grading submissions
 * (needs root, as util-linux's {@code unshare} and {@code setpriv} do):
 * <ul>
 *   <li>new PID, mount, IPC and network namespaces: the task sees only its own processes (all of them die
 *       with it), only a loopback interface, its own System V / POSIX IPC objects, and fresh tmpfs on
 *       {@code /tmp} and {@code /dev/shm};</li>
 *   <li>then uid/gid 65534 (nobody), no supplementary groups, no new privileges: it cannot write the
 *       teacher's files or read those not readable by everyone;</li>
 *   <li>limits: CPU seconds, processes of uid 65534, file size, open files ({@code prlimit}); the heap
 *       ({@code -Xmx}) and the wall-clock time are the grader's.</li>
 * </ul>
 * Not isolated even then: files readable by everyone (the rest of the file system is visible, read-only
 * for nobody where permissions say so), the kernel itself, CPU time shared with the other graders and
 * the machine's memory beyond the heap (native memory, child JVMs).
 */
public final class Sandbox {
    public static final Sandbox NONE = new Sandbox(false);
    private static final String NOBODY = "65534";

    private final boolean isolated;

    private Sandbox(boolean isolated) {
        this.isolated = isolated;
    }

    /** The isolating sandbox, or a one-line error saying what is missing. */
    public static Sandbox isolated() {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new BadInputException("--sandbox needs root (namespaces and the switch to uid " + NOBODY
                    + "); run it as root, or grade without --sandbox in a throw-away VM/container");
        }
        for (String tool : List.of("unshare", "setpriv", "prlimit", "ip")) {
            if (which(tool) == null) throw new BadInputException("--sandbox needs '" + tool + "' (util-linux / iproute2); it is not on PATH");
        }
        probe();
        return new Sandbox(true);
    }

    /** Root is not enough in a container without CAP_SYS_ADMIN: try the namespaces once. */
    private static void probe() {
        try {
            Process p = new ProcessBuilder(which("unshare").toString(), "--pid", "--fork", "--mount", "--ipc", "--net", "true")
                    .redirectErrorStream(true).start();
            String said = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new BadInputException("--sandbox: this machine does not allow new namespaces ("
                        + (said.isEmpty() ? "unshare failed" : said.lines().findFirst().orElse("")) + ")");
            }
        } catch (IOException e) {
            throw new BadInputException("--sandbox: cannot run unshare: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BadInputException("--sandbox: interrupted while trying the namespaces");
        }
    }

    public boolean isIsolated() {
        return isolated;
    }

    private static Path which(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) return p;
        }
        for (String dir : List.of("/usr/sbin", "/sbin")) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    /** What goes before {@code java ...}: nothing, or the namespaces, the uid switch and the limits. */
    List<String> prefix(Duration perTask) {
        if (!isolated) return List.of();
        long cpu = perTask.toSeconds() * 6 + 60; // the task's JVM with its compiler and GC threads, all counted
        return List.of(which("unshare").toString(), "--pid", "--fork", "--kill-child", "--mount-proc", "--mount", "--ipc", "--net",
                "sh", "-c",
                "ip link set lo up && mount -t tmpfs -o mode=1777,size=256m tmpfs /tmp && mount -t tmpfs -o mode=1777,size=256m tmpfs /dev/shm"
                        + " && exec \"$@\"", "sandbox",
                which("setpriv").toString(), "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--no-new-privs", "--",
                which("prlimit").toString(), "--cpu=" + cpu, "--nproc=2048", "--fsize=" + (64L << 20), "--nofile=1024", "--");
    }

    /**
     * Copies the class path into {@code stage} (outside /tmp, which the sandbox replaces, and readable by
     * uid 65534, which the grader's own files such as ~/.m2 may not be) and returns the copy's class path.
     * Jars already copied (same name and size) are reused.
     */
    static String stage(String classPath, Path stage) throws IOException {
        Files.createDirectories(stage);
        openUp(stage);
        List<String> staged = new ArrayList<>();
        int i = 0;
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.isEmpty()) continue;
            Path from = Path.of(entry);
            if (!Files.exists(from)) continue;
            Path to = stage.resolve((i++) + "-" + from.getFileName());
            if (Files.isDirectory(from)) {
                if (Files.exists(to)) Checks.deleteRecursively(to);
                copyTree(from, to);
            } else if (!Files.exists(to) || Files.size(to) != Files.size(from)) {
                Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
                openUp(to);
            }
            staged.add(to.toString());
        }
        return String.join(File.pathSeparator, staged);
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                openUp(t);
            }
        }
    }

    private static void openUp(Path p) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
    }
}
