package org.ipclab.signal;

import jnr.ffi.Pointer;

/** {@link RtCalls} through jnr-ffi ({@link SigLib}); the route ipclab had first, and the only one on JDK 17-21. */
final class JnrRtCalls implements RtCalls {
    private final SigLib.LibC libc = SigLib.libc();
    private final Pointer waitSet;
    private final Pointer info = SigLib.allocate(SigLib.SIGINFO_BYTES);
    private final Pointer timeout = SigLib.allocate(16);
    private final Pointer sendInfo = SigLib.allocate(SigLib.SIGINFO_BYTES);

    JnrRtCalls(int dataSignal, int endSignal) {
        waitSet = SigLib.sigset(dataSignal, endSignal);
        sendInfo.putInt(SigLib.SI_CODE, SigLib.SI_QUEUE);
        sendInfo.putInt(SigLib.SI_PID, (int) ProcessHandle.current().pid());
        sendInfo.putInt(SigLib.SI_UID, libc.getuid());
    }

    @Override
    public int sigqueue(int pid, int sig, long value) {
        return libc.sigqueue(pid, sig, value) == 0 ? 0 : SigLib.errno();
    }

    @Override
    public int queueToThread(int pid, int tid, int sig, long value) {
        sendInfo.putInt(SigLib.SI_SIGNO, sig);
        sendInfo.putLong(SigLib.SI_VALUE, value);
        return libc.syscall(SigLib.SYS_RT_TGSIGQUEUEINFO, pid, tid, sig, sendInfo.address()) == 0 ? 0 : SigLib.errno();
    }

    @Override
    public int await(long nanos) {
        timeout.putLong(0, nanos / 1_000_000_000L);
        timeout.putLong(8, nanos % 1_000_000_000L);
        int sig = libc.sigtimedwait(waitSet, info, timeout);
        return sig > 0 ? sig : -SigLib.errno();
    }

    @Override
    public long value() {
        return info.getLong(SigLib.SI_VALUE);
    }

    @Override
    public int getppid() {
        return libc.getppid();
    }
}
