package org.ipclab.core.io.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

import org.ipclab.core.io.FdCalls;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * libc's I/O calls as FFM downcalls, each capturing errno into this instance's slot. Memory is
 * passed as raw addresses ({@code long}), so a call allocates no {@link MemorySegment}.
 */
final class FfmCalls implements FdCalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");

    /** ssize_t read(int, void*, size_t) */
    private static final MethodHandle READ = call("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    /** ssize_t write(int, const void*, size_t) */
    private static final MethodHandle WRITE = call("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    /** ssize_t recv(int, void*, size_t, int) */
    private static final MethodHandle RECV = call("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    /** ssize_t send(int, const void*, size_t, int) */
    private static final MethodHandle SEND = call("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    /** int poll(struct pollfd*, nfds_t, int) */
    private static final MethodHandle POLL = call("poll", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    /** int setsockopt(int, int, int, const void*, socklen_t) */
    private static final MethodHandle SETSOCKOPT = call("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT));
    /** int shutdown(int, int) */
    private static final MethodHandle SHUTDOWN = call("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    /** int open(const char*, int, ...) with the mode as the first variadic argument */
    private static final MethodHandle OPEN = LINKER.downcallHandle(symbol("open"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), CAPTURE, Linker.Option.firstVariadicArg(2));
    /** int close(int) */
    private static final MethodHandle CLOSE = call("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private final MemorySegment errno = Arena.ofAuto().allocate(STATE);

    private static MemorySegment symbol(String name) {
        return LINKER.defaultLookup().find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }

    private static MethodHandle call(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol(name), descriptor, CAPTURE);
    }

    @Override
    public long read(int fd, long address, long length) {
        try {
            return (long) READ.invokeExact(errno, fd, address, length);
        } catch (Throwable t) {
            throw downcallFailed(t);
        }
    }

    @Override
    public long write(int fd, long address, long length) {
        try {
            return (long) WRITE.invokeExact(errno, fd, address, length);
        } catch (Throwable t) {
            throw downcallFailed(t);
        }
    }

    @Override
    public long recv(int fd, long address, long length, int flags) {
        try {
            return (long) RECV.invokeExact(errno, fd, address, length, flags);
        } catch (Throwable t) {
            throw downcallFailed(t);
        }
    }

    @Override
    public long send(int fd, long address, long length, int flags) {
        try {
            return (long) SEND.invokeExact(errno, fd, address, length, flags);
        } catch (Throwable t) {
            throw downcallFailed(t);
        }
    }

    @Override
    public int poll(long fds, long n, int timeoutMillis) {
        try {
            return (int) POLL.invokeExact(errno, fds, n, timeoutMillis);
        } catch (Throwable t) {
            throw downcallFailed(t);
        }
    }

    @Override
    public int setsockopt(int fd, int level, int name, long value, int length) {
        try {
            return (int) SETSOCKOPT.invokeExact(errno, fd, level, name, value, length);
        } catch (Throwable t) {
            throw downcallFailed(t);
        }
    }

    @Override
    public int shutdown(int fd, int how) {
        try {
            return (int) SHUTDOWN.invokeExact(errno, fd, how);
        } catch (Throwable t) {
            throw downcallFailed(t);
        }
    }

    @Override
    public int open(String path, int flags) {
        try (Arena once = Arena.ofConfined()) {
            return (int) OPEN.invokeExact(errno, once.allocateFrom(path), flags, 0);
        } catch (Throwable t) {
            throw downcallFailed(t);
        }
    }

    @Override
    public int close(int fd) {
        try {
            return (int) CLOSE.invokeExact(errno, fd);
        } catch (Throwable t) {
            throw downcallFailed(t);
        }
    }

    @Override
    public int errno() {
        return (int) ERRNO.get(errno, 0L);
    }

    @Override
    public long address(ByteBuffer direct) {
        return MemorySegment.ofBuffer(direct).address() - direct.position();
    }

    /** A downcall declares Throwable yet throws only what the JVM may throw anywhere. */
    private static RuntimeException downcallFailed(Throwable t) {
        if (t instanceof RuntimeException r) throw r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException("downcall failed", t);
    }
}
