package org.ipclab.signal;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jnr.constants.platform.Signal;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import jnr.posix.SpawnFileAction;

import org.ipclab.core.IpcException;
import org.ipclab.core.NativeException;

/**
 * A child started with {@code posix_spawnp} from a thread that has the given signals blocked, so
 * that the child starts with them blocked in every thread — the condition for receiving them with
 * {@code sigwaitinfo} (a signal that reaches a thread not blocking it runs its default action,
 * which for real-time signals kills the process). {@code ProcessBuilder} cannot do this on JDK 20+
 * (JDK-8234262 clears the child's mask), and JNR-POSIX's {@code SpawnAttribute.sigmask} is not
 * implemented, hence the blocking thread.
 *
 * <p>stdin and stdout are /dev/null, stderr is a pipe ({@link #getErrorStream()}); every other
 * descriptor of this JVM is closed in the child. The exit status is collected by one thread in
 * {@code waitpid}.
 */
final class SpawnedProcess extends Process {
    private static final POSIX POSIX_ = POSIXFactory.getNativePOSIX();

    private final int pid;
    private final InputStream stderr;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();

    private SpawnedProcess(int pid, InputStream stderr) {
        this.pid = pid;
        this.stderr = stderr;
        Thread reaper = new Thread(this::reap, "ipclab-spawn-reaper-" + pid);
        reaper.setDaemon(true);
        reaper.start();
    }

    static SpawnedProcess spawn(List<String> command, int... blockedSignals) throws IOException {
        CompletableFuture<SpawnedProcess> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                int rc = SigLib.blockInThisThread(blockedSignals);
                if (rc != 0) throw new NativeException("pthread_sigmask", rc);
                result.complete(spawnHere(command));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "ipclab-spawn");
        t.start();
        try {
            return result.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IpcException("interrupted while starting the peer");
        } catch (TimeoutException e) {
            throw new IpcException("posix_spawnp did not return in 30 s");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof IOException) throw (IOException) e.getCause();
            throw new IpcException("could not start the peer: " + e.getCause(), e.getCause());
        }
    }

    private static SpawnedProcess spawnHere(List<String> command) throws IOException {
        int[] pipe = new int[2];
        if (POSIX_.pipe(pipe) != 0) throw new NativeException("pipe", POSIX_.errno());
        List<SpawnFileAction> actions = new ArrayList<>();
        actions.add(SpawnFileAction.open("/dev/null", 0, jnr.constants.platform.OpenFlags.O_RDONLY.intValue(), 0));
        actions.add(SpawnFileAction.open("/dev/null", 1, jnr.constants.platform.OpenFlags.O_WRONLY.intValue(), 0));
        actions.add(SpawnFileAction.dup(pipe[1], 2));
        for (int fd : openDescriptors()) {
            if (fd > 2) actions.add(SpawnFileAction.close(fd));
        }
        List<String> env = new ArrayList<>();
        System.getenv().forEach((k, v) -> env.add(k + "=" + v));
        long pid = POSIX_.posix_spawnp(command.get(0), actions, command, env);
        int errno = POSIX_.errno();
        POSIX_.close(pipe[1]);
        if (pid <= 0) {
            POSIX_.close(pipe[0]);
            throw new NativeException("posix_spawnp(" + command.get(0) + ")", errno);
        }
        InputStream err = new FileInputStream("/proc/self/fd/" + pipe[0]);
        POSIX_.close(pipe[0]); // the stream opened its own description of the same pipe
        return new SpawnedProcess((int) pid, err);
    }

    private static List<Integer> openDescriptors() throws IOException {
        List<Integer> fds = new ArrayList<>();
        try (DirectoryStream<Path> d = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path p : d) {
                try {
                    fds.add(Integer.parseInt(p.getFileName().toString()));
                } catch (NumberFormatException ignored) {
                    // not a descriptor
                }
            }
        }
        return fds;
    }

    private void reap() {
        int[] status = new int[1];
        while (true) {
            long rc = POSIX_.waitpid(pid, status, 0);
            if (rc == pid) {
                int s = status[0];
                int code = (s & 0x7f) == 0 ? (s >> 8) & 0xff : 128 + (s & 0x7f);
                exit.complete(code);
                return;
            }
            if (POSIX_.errno() != SigLib.EINTR) {
                exit.complete(255);
                return;
            }
        }
    }

    @Override
    public OutputStream getOutputStream() {
        return OutputStream.nullOutputStream();
    }

    @Override
    public InputStream getInputStream() {
        return InputStream.nullInputStream();
    }

    @Override
    public InputStream getErrorStream() {
        return stderr;
    }

    @Override
    public int waitFor() throws InterruptedException {
        try {
            return exit.get();
        } catch (java.util.concurrent.ExecutionException e) {
            return 255;
        }
    }

    @Override
    public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        try {
            exit.get(timeout, unit);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        }
    }

    @Override
    public int exitValue() {
        Integer code = exit.getNow(null);
        if (code == null) throw new IllegalThreadStateException("process " + pid + " has not exited");
        return code;
    }

    @Override
    public boolean isAlive() {
        return !exit.isDone();
    }

    @Override
    public void destroy() {
        if (isAlive()) POSIX_.kill(pid, Signal.SIGTERM.intValue());
    }

    @Override
    public Process destroyForcibly() {
        if (isAlive()) POSIX_.kill(pid, Signal.SIGKILL.intValue());
        return this;
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public CompletableFuture<Process> onExit() {
        return exit.thenApply(code -> this);
    }

    @Override
    public ProcessHandle toHandle() {
        return ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("process " + pid + " is gone"));
    }
}
