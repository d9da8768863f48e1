package org.ipclab.labs.support;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * Given (lab 6): asks the kernel itself, with {@code sigaction(2)}, to ignore a signal in this process, then
 * puts the previous action back. The JVM's own {@code Signal.handle} refuses KILL and STOP before the kernel
 * is asked; this shows the kernel's answer: {@code EINVAL} for the two signals no process may catch or ignore.
 */
public final class Sigaction {
    /** errno for an invalid signal or one that cannot be caught or ignored (sigaction(2)). */
    public static final int EINVAL = 22;
    private static final long SIG_IGN = 1;
    private static final int STRUCT_SIZE = 256; // struct sigaction is 152 bytes on x86-64 Linux; room to spare

    public interface LibC {
        int sigaction(int signum, Pointer act, Pointer oldact);
    }

    private static final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
        static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(LIBC);
    }

    private Sigaction() {
    }

    /**
     * {@code sigaction(signo, {SIG_IGN}, &old)}, then {@code sigaction(signo, &old, NULL)}.
     *
     * @return 0 when the kernel accepted (the old action is back), else the errno it returned
     */
    public static int ignoreAndRestore(int signo) {
        Pointer act = Memory.allocateDirect(Holder.RUNTIME, STRUCT_SIZE, true);
        Pointer old = Memory.allocateDirect(Holder.RUNTIME, STRUCT_SIZE, true);
        act.putLong(0, SIG_IGN); // sa_handler is the first field; sa_mask and sa_flags stay 0
        if (Holder.LIBC.sigaction(signo, act, old) != 0) return Holder.RUNTIME.getLastError();
        Holder.LIBC.sigaction(signo, old, null);
        return 0;
    }
}
