package org.ipclab.shm;

import java.nio.ByteBuffer;
import java.time.Duration;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

import org.ipclab.core.NativeException;

/**
 * {@code futex(2)} on a 32-bit word of a shared mapping — the primitive under glibc's semaphores
 * and mutexes, used directly. {@code FUTEX_WAIT(addr, expected)} sleeps only if the word still
 * holds {@code expected} (checked atomically in the kernel), so a wake that came first is never
 * lost; {@code FUTEX_WAKE(addr, 1)} wakes one sleeper. The shared (non-PRIVATE) ops key the word by
 * file and offset, so the two processes need not map it at the same address.
 */
final class Futex {
    private final long base;
    private final Pointer timeout;

    /** For one mapped buffer; one waiting thread per instance (the timespec is reused). */
    Futex(ByteBuffer mapped) {
        this.base = Pointer.wrap(Libc.runtime(), mapped).address();
        this.timeout = Memory.allocateDirect(Libc.runtime(), 16);
    }

    /** Sleeps while the int at {@code offset} equals {@code expected}, at most {@code max}. False on timeout or when the word had changed. */
    boolean await(int offset, int expected, Duration max) throws NativeException {
        timeout.putLong(0, max.getSeconds());
        timeout.putLong(8, max.getNano());
        long rc = Libc.api().syscall(Libc.SYS_FUTEX, base + offset, Libc.FUTEX_WAIT, expected, timeout.address(), 0);
        if (rc == 0) return true;
        int errno = Libc.errno();
        if (errno == Libc.EAGAIN || errno == Libc.ETIMEDOUT || errno == Libc.EINTR) return false;
        throw new NativeException("futex(FUTEX_WAIT)", errno);
    }

    /** Wakes one process sleeping on the int at {@code offset}. */
    void wake(int offset) throws NativeException {
        long rc = Libc.api().syscall(Libc.SYS_FUTEX, base + offset, Libc.FUTEX_WAKE, 1, 0, 0);
        if (rc < 0) throw new NativeException("futex(FUTEX_WAKE)", Libc.errno());
    }
}
