package org.ipclab.signal;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * The libc calls for real-time signals, bound with jnr-ffi, and the layouts they use.
 * {@code sigset_t} is glibc's 128-byte bit set; {@code siginfo_t} is 128 bytes with
 * {@code si_signo} at 0, {@code si_code} at 8, {@code si_pid} at 16, {@code si_uid} at 20 and the
 * 8-byte {@code si_value} at 24 (x86-64 and aarch64 Linux).
 */
public final class SigLib {
    public interface LibC {
        /** {@code int sigqueue(pid_t, int, union sigval)}: the 8-byte union travels in a register. */
        int sigqueue(int pid, int sig, long value);

        /** Like sigwaitinfo, with a relative timeout; returns the signal number, or -1 with EAGAIN when it ran out. */
        int sigtimedwait(Pointer set, Pointer info, Pointer timeout);

        int pthread_sigmask(int how, Pointer set, Pointer old);

        int __libc_current_sigrtmin();

        int __libc_current_sigrtmax();

        long syscall(long number, long a, long b, long c, long d);

        int getuid();

        int getppid();

        /** {@code sighandler_t signal(int, sighandler_t)}; handler 1 is SIG_IGN. */
        long signal(int sig, long handler);

        /** {@code int sigaction(int, const struct sigaction *, struct sigaction *)}: read only here (act NULL). */
        int sigaction(int sig, Pointer act, Pointer old);
    }

    static final long SIG_DFL = 0;
    static final long SIG_IGN = 1;
    /** glibc's struct sigaction on x86-64 is 152 bytes, its handler first. */
    private static final int SIGACTION_BYTES = 256;

    static final int SIG_BLOCK = 0;
    static final int SIG_UNBLOCK = 1;
    static final int SI_QUEUE = -1;
    static final long SYS_GETTID = 186;
    static final long SYS_RT_TGSIGQUEUEINFO = 297;
    static final int EAGAIN = 11;
    static final int EINTR = 4;
    static final int ESRCH = 3;
    static final int EPERM = 1;

    static final int SIGSET_BYTES = 128;
    static final int SIGINFO_BYTES = 128;
    static final int SI_SIGNO = 0;
    static final int SI_CODE = 8;
    static final int SI_PID = 16;
    static final int SI_UID = 20;
    static final int SI_VALUE = 24;

    private static volatile LibC libc;
    private static volatile Runtime runtime;

    private SigLib() {
    }

    static LibC libc() {
        LibC l = libc;
        if (l == null) {
            synchronized (SigLib.class) {
                if (libc == null) {
                    LibC loaded = LibraryLoader.create(LibC.class).load("c");
                    runtime = Runtime.getRuntime(loaded);
                    libc = loaded;
                }
                l = libc;
            }
        }
        return l;
    }

    static Runtime runtime() {
        libc();
        return runtime;
    }

    static int errno() {
        return runtime().getLastError();
    }

    /**
     * Gives {@code sig} its default action back when this process started with it ignored (a parent's
     * {@code nohup} ignores SIGHUP): HotSpot leaves an ignored shutdown signal (HUP, INT, TERM) ignored,
     * and {@code Signal.handle} then installs nothing, so a handler for it would silently never run.
     * Any other disposition (the JVM's own handler) is left as it is.
     */
    static void unignore(int sig) {
        Pointer old = allocate(SIGACTION_BYTES);
        if (libc().sigaction(sig, null, old) == 0 && old.getLong(0) == SIG_IGN) libc().signal(sig, SIG_DFL);
    }

    static Pointer allocate(int bytes) {
        return Memory.allocateDirect(runtime(), bytes, true);
    }

    /** A sigset_t holding exactly these signals. */
    static Pointer sigset(int... signals) {
        Pointer set = allocate(SIGSET_BYTES);
        for (int sig : signals) {
            int bit = sig - 1;
            long word = set.getLong(8L * (bit / 64));
            set.putLong(8L * (bit / 64), word | (1L << (bit % 64)));
        }
        return set;
    }

    /** Blocks the signals in the calling thread only; returns errno or 0. */
    static int blockInThisThread(int... signals) {
        return libc().pthread_sigmask(SIG_BLOCK, sigset(signals), null);
    }

    static int gettid() {
        return (int) libc().syscall(SYS_GETTID, 0, 0, 0, 0);
    }

    static int sigrtmin() {
        return libc().__libc_current_sigrtmin();
    }
}
