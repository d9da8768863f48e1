package org.ipclab.mqueue;

import java.nio.ByteBuffer;

import com.kenai.jffi.MemoryIO;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/** The loaded libc binding and the few constants of {@code <fcntl.h>}, {@code <mqueue.h>}, {@code <sys/msg.h>} we use (x86-64/aarch64 Linux values). */
final class Native {
    static final int O_RDONLY = 0;
    static final int O_WRONLY = 1;
    static final int O_RDWR = 2;
    static final int O_CREAT = 0100;
    static final int O_EXCL = 0200;
    static final int O_NONBLOCK = 04000;

    static final int IPC_PRIVATE = 0;
    static final int IPC_CREAT = 01000;
    static final int IPC_EXCL = 02000;
    static final int IPC_NOWAIT = 04000;
    static final int IPC_RMID = 0;
    static final int IPC_STAT = 2;
    static final int MSG_NOERROR = 010000;

    static final int RLIMIT_MSGQUEUE = 12;

    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int ENOMEM = 12;
    static final int EACCES = 13;
    static final int EEXIST = 17;
    static final int EINVAL = 22;
    static final int ENFILE = 23;
    static final int EMFILE = 24;
    static final int ENOSPC = 28;
    static final int ENAMETOOLONG = 36;
    static final int ENOMSG = 42;
    static final int EIDRM = 43;
    static final int ENOENT = 2;
    static final int E2BIG = 7;
    static final int EMSGSIZE = 90;
    static final int ETIMEDOUT = 110;

    private static volatile Holder holder;
    private static volatile Throwable loadFailure;

    private static final class Holder {
        final LibC libc;
        final Runtime runtime;

        Holder(LibC libc) {
            this.libc = libc;
            this.runtime = Runtime.getRuntime(libc);
        }
    }

    private Native() {
    }

    private static Holder holder() {
        Holder h = holder;
        if (h == null) {
            synchronized (Native.class) {
                h = holder;
                if (h == null) {
                    holder = h = new Holder(LibraryLoader.create(LibC.class).load("c"));
                }
            }
        }
        return h;
    }

    static LibC libc() {
        return holder().libc;
    }

    static Runtime runtime() {
        return holder().runtime;
    }

    /** Why libc could not be bound, or null when it can: for {@code unavailableBecause()}. */
    static String unavailableBecause() {
        if (loadFailure != null) return loadFailure.toString();
        try {
            holder();
            return null;
        } catch (Throwable t) {
            loadFailure = t;
            return "jnr-ffi could not bind libc: " + t;
        }
    }

    /** errno of the last failed call on this thread. */
    static int errno() {
        return runtime().getLastError();
    }

    static Pointer allocate(int bytes) {
        return Memory.allocateDirect(runtime(), bytes, true);
    }

    /** The native address of a direct buffer's byte at index 0. */
    static long baseAddress(ByteBuffer direct) {
        return MemoryIO.getInstance().getDirectBufferAddress(direct);
    }
}
