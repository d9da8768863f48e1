package org.ipclab.socket;

import java.io.IOException;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

import org.ipclab.core.NativeException;
import org.newsclub.net.unix.AFUNIXDatagramChannel;
import org.newsclub.net.unix.FileDescriptorCast;

/**
 * Undoes a Unix datagram socket's {@code connect}, as POSIX spells it: {@code connect} to an
 * address of family {@code AF_UNSPEC}. junixsocket's {@code disconnect()} only forgets the address
 * on the Java side; the kernel socket stays connected, and while it is, every other client's
 * {@code connect} or {@code send} to it fails with EPERM ({@code unix_may_send}). The server end
 * needs the real thing to take its next client.
 */
final class UnixDisconnect {
    public interface LibC {
        int connect(int fd, Pointer address, int length);
    }

    private static final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
        static final Pointer UNSPEC = Memory.allocateDirect(jnr.ffi.Runtime.getSystemRuntime(), 16, true); // sa_family 0 = AF_UNSPEC
    }

    private UnixDisconnect() {
    }

    static void disconnect(AFUNIXDatagramChannel socket) throws IOException {
        int fd = FileDescriptorCast.using(socket.getFileDescriptor()).as(Integer.class);
        if (Holder.LIBC.connect(fd, Holder.UNSPEC, 16) != 0) {
            throw new NativeException("connect(" + fd + ", AF_UNSPEC)", jnr.ffi.Runtime.getSystemRuntime().getLastError());
        }
    }
}
