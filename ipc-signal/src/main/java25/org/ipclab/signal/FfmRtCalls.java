package org.ipclab.signal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@link RtCalls} as {@code java.lang.foreign} downcalls (JDK 22+; {@link SignalIo} loads it by
 * name from {@code META-INF/versions/22}). The siginfo, sigset, timespec and errno slots are
 * allocated once per channel; a sender and a receiver may run at once, so each has its own.
 * Layouts as in {@link SigLib}.
 */
final class FfmRtCalls implements RtCalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");

    /** int sigqueue(pid_t, int, union sigval): the 8-byte union travels in an integer register, as a long does. */
    private static final MethodHandle SIGQUEUE = LINKER.downcallHandle(symbol("sigqueue"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), CAPTURE);
    /** long syscall(long number, ...): rt_tgsigqueueinfo(tgid, tid, sig, siginfo*) has no libc wrapper. */
    private static final MethodHandle SYSCALL4 = LINKER.downcallHandle(symbol("syscall"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS),
            CAPTURE, Linker.Option.firstVariadicArg(1));
    /** int sigtimedwait(const sigset_t*, siginfo_t*, const struct timespec*) */
    private static final MethodHandle SIGTIMEDWAIT = LINKER.downcallHandle(symbol("sigtimedwait"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS), CAPTURE);
    /** pid_t getppid(void): cannot fail. */
    private static final MethodHandle GETPPID = LINKER.downcallHandle(symbol("getppid"), FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETUID = LINKER.downcallHandle(symbol("getuid"), FunctionDescriptor.of(JAVA_INT));

    private final Arena arena = Arena.ofAuto();
    private final MemorySegment waitSet = arena.allocate(SigLib.SIGSET_BYTES, 8);
    private final MemorySegment info = arena.allocate(SigLib.SIGINFO_BYTES, 8);
    private final MemorySegment timeout = arena.allocate(16, 8);
    private final MemorySegment receiveErrno = arena.allocate(STATE);
    private final MemorySegment sendInfo = arena.allocate(SigLib.SIGINFO_BYTES, 8);
    private final MemorySegment sendErrno = arena.allocate(STATE);

    FfmRtCalls(int dataSignal, int endSignal) {
        for (int sig : new int[] {dataSignal, endSignal}) {
            long word = 8L * ((sig - 1) / 64);
            waitSet.set(JAVA_LONG, word, waitSet.get(JAVA_LONG, word) | 1L << ((sig - 1) % 64));
        }
        sendInfo.set(JAVA_INT, SigLib.SI_CODE, SigLib.SI_QUEUE);
        sendInfo.set(JAVA_INT, SigLib.SI_PID, (int) ProcessHandle.current().pid());
        try {
            sendInfo.set(JAVA_INT, SigLib.SI_UID, (int) GETUID.invokeExact());
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    private static MemorySegment symbol(String name) {
        return LINKER.defaultLookup().find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }

    @Override
    public int sigqueue(int pid, int sig, long value) {
        try {
            int rc = (int) SIGQUEUE.invokeExact(sendErrno, pid, sig, value);
            return rc == 0 ? 0 : errno(sendErrno);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    @Override
    public int queueToThread(int pid, int tid, int sig, long value) {
        sendInfo.set(JAVA_INT, SigLib.SI_SIGNO, sig);
        sendInfo.set(JAVA_LONG, SigLib.SI_VALUE, value);
        try {
            long rc = (long) SYSCALL4.invokeExact(sendErrno, SigLib.SYS_RT_TGSIGQUEUEINFO, (long) pid, (long) tid, (long) sig, sendInfo);
            return rc == 0 ? 0 : errno(sendErrno);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    @Override
    public int await(long nanos) {
        timeout.set(JAVA_LONG, 0, nanos / 1_000_000_000L);
        timeout.set(JAVA_LONG, 8, nanos % 1_000_000_000L);
        try {
            int sig = (int) SIGTIMEDWAIT.invokeExact(receiveErrno, waitSet, info, timeout);
            return sig > 0 ? sig : -errno(receiveErrno);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    @Override
    public long value() {
        return info.get(JAVA_LONG, SigLib.SI_VALUE);
    }

    @Override
    public int getppid() {
        try {
            return (int) GETPPID.invokeExact();
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    private static int errno(MemorySegment slot) {
        return (int) ERRNO.get(slot, 0L);
    }

    /** A downcall throws only what the JVM does (no checked exceptions cross it). */
    private static RuntimeException failed(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException("downcall failed", t);
    }
}
