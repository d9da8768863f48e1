package org.ipclab.core.io;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.channels.Channel;
import java.nio.channels.FileChannel;

import org.ipclab.core.IpcException;

/**
 * A raw route's {@link IoRoute.Factory}: {@link FdChannel}s over the route's {@link FdCalls}, on the
 * descriptor read out of the JDK channel (sun.nio.ch's {@code SelChImpl.getFDVal()} for sockets, the
 * private {@code FileChannelImpl.fd} for pipes and FIFOs; both need {@code --add-opens
 * java.base/sun.nio.ch}, see {@link IoRoute#jvmFlags}). A route adds only how it binds libc.
 */
public abstract class FdChannels implements IoRoute.Factory {
    private final IoRoute route;
    private final Field fileChannelFd;
    private final Method fdVal;
    private final Method selChFdVal;
    private final String unavailable;

    /** Links the route's calls ({@link #newCalls}) now, so that a failure is the reason it is unavailable. */
    protected FdChannels(IoRoute route) {
        this.route = route;
        Field f = null;
        Method v = null;
        Method s = null;
        String why = null;
        try {
            f = Class.forName("sun.nio.ch.FileChannelImpl").getDeclaredField("fd");
            f.setAccessible(true);
            v = Class.forName("sun.nio.ch.IOUtil").getDeclaredMethod("fdVal", FileDescriptor.class);
            v.setAccessible(true);
            s = Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal");
            s.setAccessible(true);
            newCalls();
        } catch (RuntimeException | ReflectiveOperationException e) {
            why = e.getClass().getSimpleName().equals("InaccessibleObjectException")
                    ? label() + " needs the JVM flag " + IoRoute.ADD_OPENS + " (java -jar ipc.jar has it)"
                    : label() + " cannot read the JDK channel's descriptor on this JDK: " + e;
        } catch (LinkageError e) {
            why = label() + " cannot link libc: " + e;
        }
        fileChannelFd = f;
        fdVal = v;
        selChFdVal = s;
        unavailable = why;
    }

    /** A fresh set of calls, each with its own errno (one per channel direction). */
    protected abstract FdCalls newCalls();

    @Override
    public final String unavailableBecause() {
        return unavailable;
    }

    @Override
    public final RawChannel wrap(Channel jdk, boolean socket) throws IOException {
        return new FdChannel(route, fdOf(jdk), socket, jdk, this::newCalls);
    }

    @Override
    public final RawChannel datagram(Channel jdk) throws IOException {
        return new FdChannel(route, fdOf(jdk), true, null, this::newCalls);
    }

    @Override
    public final RawChannel datagram(int fd) {
        return new FdChannel(route, fd, true, null, this::newCalls);
    }

    private int fdOf(Channel jdk) throws IOException {
        try {
            if (jdk instanceof FileChannel) return (int) fdVal.invoke(null, fileChannelFd.get(jdk));
            if (selChFdVal.getDeclaringClass().isInstance(jdk)) return (int) selChFdVal.invoke(jdk);
        } catch (ReflectiveOperationException e) {
            throw new IpcException(label() + ": cannot read the descriptor of " + jdk + ": " + e);
        }
        throw new IpcException(label() + ": " + jdk.getClass().getName() + " is not a JDK file or socket channel");
    }

    private String label() {
        return IoRoute.OPTION + "=" + route.label();
    }
}
