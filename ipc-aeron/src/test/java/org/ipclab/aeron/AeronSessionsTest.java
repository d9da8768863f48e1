package org.ipclab.aeron;

import java.nio.file.Path;

import org.ipclab.core.ChannelSpec;
import org.ipclab.testkit.SessionsContract;

/**
 * One server end, client after client ({@link SessionsContract}): each accept is a fresh session
 * (its own pair of log buffers), and a stranger cannot reach the media driver in its 0700 directory.
 */
class AeronSessionsTest extends SessionsContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("aeron").with("wait", "park").with("term", "64k");
    }

    @Override
    protected String sharedOption() {
        return "dir";
    }

    /** Aeron deletes and re-creates the driver's directory with the umask's mode: ours around it is 0700 from the start. */
    @Override
    protected Path ownerOnlyPath(Path driverDir) {
        return driverDir.getParent();
    }
}
