package org.ipclab.shm;

import java.util.Optional;

import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.Variadic;

/**
 * The few libc calls Java has no route to: POSIX named semaphores ({@code sem_overview(7)}) and
 * {@code posix_fallocate(3)}. glibc folds librt into libc, so one library serves all.
 * Loaded once, lazily: a broken native setup turns into {@link #unavailableBecause()}, not a crash.
 */
final class Libc {
    static final int O_RDWR = 02;
    static final int O_CREAT = 0100;
    static final int O_EXCL = 0200;
    static final int O_CLOEXEC = 02000000;
    static final int ETIMEDOUT = 110;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final long SYS_FUTEX = 202; // x86_64
    /** Shared (not _PRIVATE) futex ops: the kernel keys the word by file and offset, so two processes meet. */
    static final int FUTEX_WAIT = 0;
    static final int FUTEX_WAKE = 1;

    /** The jnr-ffi view of libc; method names are the C symbols. */
    public interface Api {
        /** {@code sem_t *sem_open(const char *name, int oflag, mode_t mode, unsigned int value)}: variadic after oflag. */
        @Variadic(fixedCount = 2)
        Pointer sem_open(String name, int oflag, int mode, int value);

        int sem_close(Pointer sem);

        int sem_unlink(String name);

        int sem_post(Pointer sem);

        int sem_wait(Pointer sem);

        int sem_trywait(Pointer sem);

        /** {@code abstime} is a {@code struct timespec} on CLOCK_REALTIME. */
        int sem_timedwait(Pointer sem, Pointer abstime);

        @Variadic(fixedCount = 2)
        int open(String path, int flags, int mode);

        int close(int fd);

        int fchmod(int fd, int mode);

        /**
         * {@code long syscall(long number, ...)} for futex(2), which glibc does not wrap. Declared
         * with five fixed longs instead of as variadic: six arguments keep jnr-ffi on its fast
         * path, and on x86_64 integer arguments travel in the same registers either way.
         */
        long syscall(long number, long a1, long a2, long a3, long a4, long a5);

        /** Returns the error number itself (it does not set errno). */
        int posix_fallocate(int fd, long offset, long len);
    }

    private static final Holder HOLDER = new Holder();

    private Libc() {
    }

    static Api api() {
        if (HOLDER.api == null) throw new IllegalStateException("libc via jnr-ffi is not available: " + HOLDER.failure);
        return HOLDER.api;
    }

    static Runtime runtime() {
        return Runtime.getRuntime(api());
    }

    static int errno() {
        return runtime().getLastError();
    }

    static Optional<String> unavailableBecause() {
        return HOLDER.api == null ? Optional.of("jnr-ffi could not bind libc: " + HOLDER.failure) : Optional.empty();
    }

    private static final class Holder {
        final Api api;
        final String failure;

        Holder() {
            Api a = null;
            String why = null;
            try {
                a = LibraryLoader.create(Api.class).option(LibraryOption.SaveError, true).load("c");
            } catch (Throwable t) { // UnsatisfiedLinkError, LinkageError from jffi's native stub
                why = t.toString();
            }
            api = a;
            failure = why;
        }
    }
}
