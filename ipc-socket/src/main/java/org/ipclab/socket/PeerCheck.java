package org.ipclab.socket;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.ipclab.core.IpcException;
import org.newsclub.net.unix.AFUNIXSocketCredentials;

/**
 * The Unix server's check of who connected (SO_PEERCRED: the peer's pid, uid and gid as the
 * kernel recorded them at {@code connect}). A peer of another uid is refused.
 *
 * <p>The pid is a snapshot: by the time we read it the process may have exited and the number been
 * reused. Trust the uid/gid for access decisions, never the pid.
 */
final class PeerCheck {
    private PeerCheck() {
    }

    static long myUid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Returns "pid=.. uid=.. gid=.."; throws when the peer's uid is not ours. */
    static String require(String mechanism, AFUNIXSocketCredentials peer) throws IpcException {
        if (peer == null) throw new IpcException(mechanism + ": the kernel gave no peer credentials; refusing the connection");
        long me = myUid();
        if (peer.getUid() != me) {
            throw new IpcException(mechanism + ": refused a peer of uid " + peer.getUid() + " (pid " + peer.getPid()
                    + "): only uid " + me + " may connect (SO_PEERCRED)");
        }
        return describe(peer);
    }

    static String describe(AFUNIXSocketCredentials c) {
        return "pid=" + c.getPid() + " uid=" + c.getUid() + " gid=" + c.getGid();
    }
}
