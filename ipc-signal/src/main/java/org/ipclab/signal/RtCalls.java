package org.ipclab.signal;

/**
 * The libc calls the real-time route makes per message, each over memory the implementation
 * allocated once per channel (siginfo, sigset, timespec, errno), so a message allocates nothing.
 * Two implementations, chosen with {@code --opt io=...} ({@link SignalIo}): jnr-ffi
 * ({@link JnrRtCalls}) and {@code java.lang.foreign} downcalls (FfmRtCalls, JDK 22+, in the
 * jar's {@code META-INF/versions/22}).
 */
interface RtCalls {
    /** {@code sigqueue(pid, sig, value)}: 0, or the errno. */
    int sigqueue(int pid, int sig, long value);

    /** {@code rt_tgsigqueueinfo(pid, tid, sig, info)} with an SI_QUEUE siginfo from this process: 0, or the errno. */
    int queueToThread(int pid, int tid, int sig, long value);

    /**
     * {@code sigtimedwait} for the channel's two signals, at most {@code nanos}: the signal taken (its
     * {@code si_value} is then {@link #value()}), or minus the errno ({@code -EAGAIN}: none came in time).
     */
    int await(long nanos);

    /** The {@code si_value} of the signal {@link #await} took last. */
    long value();

    /** {@code getppid()}, asked every time: a peer whose server died has been re-parented. */
    int getppid();

    /** Makes the calls of one channel. */
    interface Factory {
        RtCalls open(int dataSignal, int endSignal) throws java.io.IOException;
    }
}
