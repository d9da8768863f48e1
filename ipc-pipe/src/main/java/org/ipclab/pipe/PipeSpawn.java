package org.ipclab.pipe;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jnr.posix.POSIX;
import jnr.posix.SpawnFileAction;

import org.ipclab.core.NativeException;

/**
 * The explicit route to a pipeline, as the shell builds {@code A | B}: {@code pipe(2)} twice,
 * then {@code posix_spawnp(3)} with file actions that {@code dup2} the child's ends onto fd 0 and 1
 * and close every other descriptor of ours — a spawned child inherits every descriptor that lacks
 * {@code O_CLOEXEC}, and a JVM has a couple of dozen (jars, the modules image, sockets).
 */
public final class PipeSpawn {
    private PipeSpawn() {
    }

    /** What the spawn experiment saw. */
    public record Result(long pid, int inheritable, List<String> childDescriptors, String output, int exitStatus) {
    }

    /** read(2)'s number, the first field of /proc/PID/syscall while a process sits in it; -1: not known for this CPU. */
    private static final int READ_SYSCALL = switch (System.getProperty("os.arch")) {
        case "amd64", "x86_64" -> 0;
        case "aarch64" -> 63;
        default -> -1;
    };

    /**
     * Waits (at most 2 s) until the child sits in read(0, ...), past its start-up: a child caught
     * earlier may hold files it opened itself (tr: /etc/locale.alias while it sets its locale), which
     * would read as inherited. /proc/PID/syscall is readable by the child's parent (same user).
     */
    private static void awaitReadingStdin(long pid) throws InterruptedException {
        if (READ_SYSCALL < 0) return;
        java.nio.file.Path syscall = java.nio.file.Path.of("/proc", Long.toString(pid), "syscall");
        String reading = READ_SYSCALL + " 0x0 ";
        long until = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < until) {
            try {
                if (java.nio.file.Files.readString(syscall).startsWith(reading)) return;
            } catch (java.io.IOException gone) {
                return; // it exited already: its listing says so
            }
            Thread.sleep(2);
        }
    }

    /** Spawns {@code command} with its stdin and stdout on two fresh pipes, sends {@code input}, closes, and reads all output. */
    public static Result run(List<String> command, String input) throws Exception {
        POSIX posix = PipeLab.posix();
        int[] toChild = PipeLab.pipe();   // [0] becomes the child's stdin
        int[] fromChild = PipeLab.pipe(); // [1] becomes the child's stdout
        long pid = -1;
        try {
            List<Integer> ours = PipeLab.openDescriptors();
            int inheritable = 0;
            List<SpawnFileAction> actions = new ArrayList<>();
            actions.add(SpawnFileAction.dup(toChild[0], 0));
            actions.add(SpawnFileAction.dup(fromChild[1], 1));
            for (int fd : ours) {
                if (fd <= 2) continue;
                if (!PipeLab.accessMode(ProcessHandle.current().pid(), fd).contains("cloexec")) inheritable++;
                // glibc ignores EBADF here for descriptors closed since we listed them.
                actions.add(SpawnFileAction.close(fd));
            }
            List<String> env = new ArrayList<>();
            for (Map.Entry<String, String> e : System.getenv().entrySet()) env.add(e.getKey() + "=" + e.getValue());
            pid = posix.posix_spawnp(command.get(0), actions, new ArrayList<CharSequence>(command), new ArrayList<CharSequence>(env));
            if (pid <= 0) throw new NativeException("posix_spawnp(" + command.get(0) + ")", posix.errno());
            awaitReadingStdin(pid);
            List<String> childFds = new ArrayList<>();
            for (String line : PipeEnds.pipeDescriptorsAndOthers(pid)) childFds.add(line);
            // The child's copies are in the child now; ours must go, or the child would never see EOF.
            PipeLab.close(toChild[0], fromChild[1]);
            toChild[0] = -1;
            fromChild[1] = -1;
            byte[] in = input.getBytes(StandardCharsets.UTF_8);
            if (posix.write(toChild[1], in, (long) in.length) != in.length) throw new NativeException("write", posix.errno());
            PipeLab.close(toChild[1]);
            toChild[1] = -1;
            StringBuilder out = new StringBuilder();
            byte[] buf = new byte[4096];
            long n;
            while ((n = posix.read(fromChild[0], buf, (long) buf.length)) > 0) out.append(new String(buf, 0, (int) n, StandardCharsets.UTF_8));
            int[] status = new int[1];
            if (posix.waitpid(pid, status, 0) < 0) throw new NativeException("waitpid(" + pid + ")", posix.errno());
            long spawned = pid;
            pid = -1;
            return new Result(spawned, inheritable, childFds, out.toString(), (status[0] >> 8) & 0xff);
        } finally {
            PipeLab.close(toChild[0], toChild[1], fromChild[0], fromChild[1]);
            if (pid > 0) {
                posix.kill(pid, 9);
                posix.waitpid(pid, new int[1], 0);
            }
        }
    }
}
