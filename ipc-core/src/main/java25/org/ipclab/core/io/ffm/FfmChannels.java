package org.ipclab.core.io.ffm;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.channels.Channel;
import java.nio.channels.FileChannel;

import org.ipclab.core.IpcException;
import org.ipclab.core.io.IoRoute;
import org.ipclab.core.io.RawChannel;

/**
 * The FFM route's entry point, loaded by {@link IoRoute} on JDK 22+ only. It reads the descriptor
 * out of the JDK channel (sun.nio.ch's {@code SelChImpl.getFDVal()} for sockets, the private
 * {@code FileChannelImpl.fd} for pipes and FIFOs; both need {@code --add-opens java.base/sun.nio.ch}).
 */
public final class FfmChannels implements IoRoute.Factory {
    private static final String FLAG = "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED";
    private final Field fileChannelFd;
    private final Method fdVal;
    private final Method selChFdVal;
    private final String unavailable;

    public FfmChannels() {
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
            Class.forName(Posix.class.getName()); // links libc now, so a failure is reported as the reason
        } catch (RuntimeException | ReflectiveOperationException e) {
            why = e.getClass().getSimpleName().equals("InaccessibleObjectException")
                    ? "io=ffm needs the JVM flag " + FLAG + " (java -jar ipc.jar has it)"
                    : "io=ffm cannot read the JDK channel's descriptor on this JDK: " + e;
        } catch (LinkageError e) {
            why = "io=ffm cannot link libc: " + e;
        }
        fileChannelFd = f;
        fdVal = v;
        selChFdVal = s;
        unavailable = why;
    }

    @Override
    public String unavailableBecause() {
        return unavailable;
    }

    @Override
    public RawChannel wrap(Channel jdk, boolean socket) throws IOException {
        return new FdChannel(fdOf(jdk), socket, jdk);
    }

    @Override
    public RawChannel datagram(Channel jdk) throws IOException {
        return new FdChannel(fdOf(jdk), true, null);
    }

    @Override
    public RawChannel datagram(int fd) {
        return new FdChannel(fd, true, null);
    }

    private int fdOf(Channel jdk) throws IOException {
        try {
            if (jdk instanceof FileChannel) return (int) fdVal.invoke(null, fileChannelFd.get(jdk));
            if (selChFdVal.getDeclaringClass().isInstance(jdk)) return (int) selChFdVal.invoke(jdk);
        } catch (ReflectiveOperationException e) {
            throw new IpcException("io=ffm: cannot read the descriptor of " + jdk + ": " + e);
        }
        throw new IpcException("io=ffm: " + jdk.getClass().getName() + " is not a JDK file or socket channel");
    }
}
