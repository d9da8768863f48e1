package org.ipclab.labs.support;

import java.time.Duration;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * Given (lab 10): the calls for queued signals, bound with jnr-ffi. Everything is aimed at one THREAD, not at
 * the process: a JVM has dozens of threads, and a process-directed signal goes to any one of them that does
 * not block it (signal(7)), where a real-time signal's default action ends the whole JVM. So the receiver
 * blocks the signals in one thread and the sender queues them to that thread ({@code rt_tgsigqueueinfo(2)},
 * which is what {@code sigqueue(3)} does for a process and {@code pthread_sigqueue(3)} for a thread of one's own).
 * Failures are returned as {@code -errno}, as the C calls report them.
 */
public final class SigQueue {
    public static final int EAGAIN = 11;
    public static final int ESRCH = 3;
    public static final int EPERM = 1;
    public static final int EINVAL = 22;
    /** si_code of a signal sent by sigqueue(3) (and by {@link #queue}). */
    public static final int SI_QUEUE = -1;

    private static final int SIG_BLOCK = 0;
    private static final int SIGSET_BYTES = 128; // glibc's sigset_t
    private static final int SIGINFO_BYTES = 128;
    // siginfo_t on x86-64 and aarch64: si_signo 0, si_errno 4, si_code 8, then the union: si_pid 16, si_uid 20, si_value 24
    private static final int SI_SIGNO = 0;
    private static final int SI_CODE = 8;
    private static final int SI_PID = 16;
    private static final int SI_UID = 20;
    private static final int SI_VALUE = 24;
    private static final boolean ARM = System.getProperty("os.arch").equals("aarch64");
    private static final long SYS_GETTID = ARM ? 178 : 186;
    private static final long SYS_RT_TGSIGQUEUEINFO = ARM ? 240 : 297;

    public interface LibC {
        int pthread_sigmask(int how, Pointer set, Pointer old);

        int sigtimedwait(Pointer set, Pointer info, Pointer timeout);

        int __libc_current_sigrtmin();

        int __libc_current_sigrtmax();

        int getuid();

        long syscall(long number, long a, long b, long c, long d);
    }

    private static final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
        static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(LIBC);
    }

    /** One signal taken from the pending set: its number, how it was sent (si_code), by whom, and its value. */
    public record Info(int signo, int code, long senderPid, int value) {
    }

    private SigQueue() {
    }

    private static Pointer allocate(int bytes) {
        return Memory.allocateDirect(Holder.RUNTIME, bytes, true);
    }

    private static Pointer sigset(int... signos) {
        Pointer set = allocate(SIGSET_BYTES);
        for (int s : signos) {
            if (s < 1 || s > 64) throw new IllegalArgumentException("signal " + s + " is not 1..64");
            long word = set.getLong(0);
            set.putLong(0, word | 1L << (s - 1));
        }
        return set;
    }

    /** The first real-time signal glibc lets programs use (34 on Linux with glibc: 32 and 33 are its own). */
    public static int rtmin() {
        return Holder.LIBC.__libc_current_sigrtmin();
    }

    /** The last real-time signal (64 on Linux). */
    public static int rtmax() {
        return Holder.LIBC.__libc_current_sigrtmax();
    }

    /** This thread's id (gettid(2)): the number under /proc/PID/task/. */
    public static long tid() {
        return Holder.LIBC.syscall(SYS_GETTID, 0, 0, 0, 0);
    }

    /** {@code pthread_sigmask(SIG_BLOCK, {signos})} for the CALLING thread only: 0 or -errno. */
    public static int block(int... signos) {
        int rc = Holder.LIBC.pthread_sigmask(SIG_BLOCK, sigset(signos), null);
        return rc == 0 ? 0 : -rc; // pthread_sigmask returns the error number itself
    }

    /**
     * Queues {@code signo} with {@code value} to thread {@code tid} of process {@code pid}, as sigqueue(3) would
     * (si_code SI_QUEUE, this process as the sender): 0, or -errno (-ESRCH: no such thread; -EAGAIN: the
     * receiver's queue of pending signals is full, RLIMIT_SIGPENDING).
     */
    public static int queue(long pid, long tid, int signo, int value) {
        Pointer info = allocate(SIGINFO_BYTES);
        info.putInt(SI_SIGNO, signo);
        info.putInt(SI_CODE, SI_QUEUE);
        info.putInt(SI_PID, (int) ProcessHandle.current().pid());
        info.putInt(SI_UID, Holder.LIBC.getuid());
        info.putLong(SI_VALUE, value);
        long rc = Holder.LIBC.syscall(SYS_RT_TGSIGQUEUEINFO, pid, tid, signo, info.address());
        return rc == 0 ? 0 : -Holder.RUNTIME.getLastError();
    }

    /**
     * {@code sigtimedwait(2)}: takes one pending signal of {@code signos} (which the calling thread must block),
     * waiting at most {@code timeout} (zero: only look). Which one, when several are pending, is the kernel's
     * choice. Null when none came.
     */
    public static Info take(Duration timeout, int... signos) {
        Pointer info = allocate(SIGINFO_BYTES);
        Pointer ts = allocate(16);
        ts.putLong(0, timeout.getSeconds());
        ts.putLong(8, timeout.getNano());
        int sig = Holder.LIBC.sigtimedwait(sigset(signos), info, ts);
        if (sig < 0) return null; // EAGAIN: nothing came in time (EINTR: a handler ran; treat alike)
        return new Info(sig, info.getInt(SI_CODE), info.getInt(SI_PID), (int) info.getLong(SI_VALUE));
    }
}
