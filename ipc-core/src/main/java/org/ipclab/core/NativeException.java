package org.ipclab.core;

import jnr.constants.platform.Errno;

/** A failed system call that keeps errno and its name: {@code mq_open(/ipclab-1) failed: EACCES (Permission denied)}. */
public class NativeException extends IpcException {
    private final int errno;

    public NativeException(String call, int errno) {
        super(call + " failed: " + describe(errno));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    public String errnoName() {
        Errno e = Errno.valueOf(errno);
        return e == Errno.__UNKNOWN_CONSTANT__ ? "errno " + errno : e.name();
    }

    /** {@code EACCES (Permission denied)}. */
    public static String describe(int errno) {
        Errno e = Errno.valueOf(errno);
        if (e == Errno.__UNKNOWN_CONSTANT__) return "errno " + errno;
        return e.name() + " (" + e.description() + ")";
    }
}
