package org.ipclab.socket;

import java.io.IOException;
import java.util.Optional;

import org.newsclub.net.unix.AFSocket;
import org.newsclub.net.unix.AFUNIXDatagramChannel;
import org.newsclub.net.unix.FileDescriptorCast;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/** junixsocket's availability (its native library loads from its jar), descriptors and address printing. */
final class Junix {
    private Junix() {
    }

    static Optional<String> unavailableBecause() {
        try {
            if (AFSocket.isSupported()) return Optional.empty();
            return Optional.of("junixsocket's native library did not load on this platform");
        } catch (Throwable t) {
            return Optional.of("junixsocket failed to load: " + t);
        }
    }

    static String describe(AFUNIXSocketAddress address) {
        if (address.isInAbstractNamespace()) {
            byte[] b = address.getPathAsBytes();
            int end = b.length;
            while (end > 1 && b[end - 1] == 0) end--;
            return "@" + new String(b, 1, end - 1, AFUNIXSocketAddress.addressCharset());
        }
        return address.getPath();
    }

    /** The socket's descriptor number, for io=ffm (junixsocket hands it out without reflection). */
    static int fd(AFUNIXDatagramChannel socket) throws IOException {
        return FileDescriptorCast.using(socket.socket().getFileDescriptor()).as(Integer.class);
    }
}
