package org.ipclab.core.io;

import java.nio.ByteBuffer;

/**
 * The libc calls an {@link FdChannel} makes, bound by one raw route ({@link IoRoute#FFM},
 * {@link IoRoute#JNR}). Memory is passed as raw addresses ({@code long}, the same register as a
 * pointer on the 64-bit ABIs), so a call allocates nothing. Each returns what libc returns; after
 * a -1, {@link #errno()} tells why. One instance serves one thread at a time (a channel has one
 * for its reader and one for its writer): a route may keep errno per instance.
 */
public interface FdCalls {
    long read(int fd, long address, long length);

    long write(int fd, long address, long length);

    long recv(int fd, long address, long length, int flags);

    long send(int fd, long address, long length, int flags);

    /** {@code int poll(struct pollfd *fds, nfds_t n, int timeoutMillis)} */
    int poll(long fds, long n, int timeoutMillis);

    int setsockopt(int fd, int level, int name, long value, int length);

    int shutdown(int fd, int how);

    /** {@code open(path, flags)} without O_CREAT (so no mode). */
    int open(String path, int flags);

    int close(int fd);

    /** errno as the last call through this instance left it. */
    int errno();

    /** The address of a direct buffer's element 0. */
    long address(ByteBuffer direct);
}
