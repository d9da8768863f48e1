package org.ipclab.labs;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;

import org.ipclab.core.Names;
import org.ipclab.core.OwnedFiles;
import org.ipclab.core.Users;

/** Assertions the checks share: nothing left behind, no process left running. */
public final class Checks {
    private static final List<Path> ROOTS = List.of(Names.tempRoot(), Path.of("/dev/shm"));

    private Checks() {
    }

    /** Every ipclab-* file in the temp directory and /dev/shm right now. */
    public static Set<Path> ipclabFiles() {
        Set<Path> found = new HashSet<>();
        for (Path root : ROOTS) {
            if (!Files.isDirectory(root)) continue;
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, "*ipclab-*")) {
                ds.forEach(found::add);
            } catch (IOException e) {
                throw new AssertionError("cannot list " + root + ": " + e.getMessage(), e);
            }
        }
        return found;
    }

    /**
     * Fails when an ipclab file appeared since {@code before} that this process or a finished one of
     * its children created (other people's live runs on the machine are ignored). Removes them.
     */
    public static void assertNothingLeftBehind(Set<Path> before, String what) {
        long me = ProcessHandle.current().pid();
        List<Path> left = new ArrayList<>();
        for (Path p : ipclabFiles()) {
            if (before.contains(p)) continue;
            OptionalLong pid = Names.creatorPid(p.getFileName().toString());
            if (pid.isEmpty()) continue;
            boolean alive = ProcessHandle.of(pid.getAsLong()).map(ProcessHandle::isAlive).orElse(false);
            if (pid.getAsLong() == me || !alive) left.add(p);
        }
        for (Path p : left) {
            try {
                deleteRecursively(p);
            } catch (IOException e) {
                // reported below anyway
            }
        }
        if (!left.isEmpty()) {
            throw new AssertionError(what + " left behind " + left.stream().map(Path::toString).collect(Collectors.joining(", "))
                    + " (the check removed it; your code must)");
        }
    }

    /**
     * Removes {@code p} and everything below it, relative to open directories: a symbolic link at
     * any depth (or swapped in meanwhile) is removed, never followed, and a tree that is not the
     * caller's is left alone with an IOException saying whose it is. Gone already: nothing to do.
     */
    public static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        OwnedFiles.removeTree(p, Users.uid());
    }

    /** Waits up to {@code grace} for every child process to end; fails (and stops them) if some still run. */
    public static void assertNoChildProcesses(Duration grace, String what) {
        long deadline = System.nanoTime() + grace.toNanos();
        List<ProcessHandle> alive;
        do {
            alive = ProcessHandle.current().children().filter(ProcessHandle::isAlive).collect(Collectors.toList());
            if (alive.isEmpty()) return;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        } while (System.nanoTime() < deadline);
        String list = alive.stream().map(p -> p.pid() + " " + p.info().command().map(c -> Path.of(c).getFileName().toString()).orElse("?"))
                .collect(Collectors.joining(", "));
        ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
        throw new AssertionError(what + " left child processes running: " + list + " (the check stopped them; your code must wait for them)");
    }

    /** Stops every process this JVM started (for a check's cleanup after a failed task). */
    public static void stopChildren() {
        ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
    }
}
