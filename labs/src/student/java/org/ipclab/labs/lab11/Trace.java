package org.ipclab.labs.lab11;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Lab 11, tasks 1 and 2: what a pipeline looks like to the kernel, read from {@code strace -f -y} output. A line
 * is {@code PID syscall(args) = result}; with -y a descriptor shows what it is: {@code 4<pipe:[2672222]>}, the
 * number in brackets naming one pipe (its inode). A call interrupted by another process's line is split:
 * {@code PID execve("/usr/bin/seq", ... <unfinished ...>}, and later {@code PID <... execve resumed>) = 0}.
 */
public final class Trace {
    private Trace() {
    }

    /**
     * @param pipes    how many pipe(2)/pipe2(2) calls created a pipe
     * @param programs the path of every execve(2) that SUCCEEDED, in the order of the trace (a PATH search makes
     *                 failed ones: {@code = -1 ENOENT})
     * @param links    how many pipes connect two processes as the shell's | does: some process moved the pipe onto
     *                 its fd 1 (dup2(x, 1) or dup3) and another moved the same pipe onto its fd 0
     */
    public record Evidence(int pipes, List<String> programs, int links) {
    }

    /** Task 1: the evidence in one strace -f -y trace. */
    public static Evidence of(List<String> lines) {
        // TODO(lab11) task 1: one pass over the lines; keep, per pid, the unfinished execve until its resumed line.
        throw new UnsupportedOperationException("TODO(lab11): Trace.of");
    }

    /**
     * Task 2: runs {@code command} under strace, following its children, showing what each descriptor is, tracing
     * {@code pipe,pipe2,dup2,dup3,clone,clone3,vfork,execve,close}, the trace written to {@code out}; waits for it and
     * returns the trace's lines (strace's own messages must not end up among them).
     */
    public static List<String> record(List<String> command, Path out) throws IOException, InterruptedException {
        // TODO(lab11) task 2: strace(1): which options follow children, decode descriptors, write to a file?
        throw new UnsupportedOperationException("TODO(lab11): Trace.record");
    }
}
