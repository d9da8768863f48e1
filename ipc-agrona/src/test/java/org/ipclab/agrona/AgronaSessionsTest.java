package org.ipclab.agrona;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.ipclab.core.ChannelSpec;
import org.ipclab.core.IpcException;
import org.ipclab.core.ProtocolException;
import org.ipclab.testkit.SessionsContract;
import org.junit.jupiter.api.Test;

/**
 * One server end, client after client, over the 0600 ring file ({@link SessionsContract}); and a
 * file that is not ours is refused.
 */
class AgronaSessionsTest extends SessionsContract {
    @Override
    protected ChannelSpec spec() {
        return ChannelSpec.of("agrona").with("wait", "park").with("capacity", "64k");
    }

    @Override
    protected String sharedOption() {
        return "rings";
    }

    @Test
    void aFileThatIsNotARingSegmentIsRefused() throws IOException {
        Path bogus = Files.createTempFile(Path.of("/dev/shm"), "ipclab-" + ProcessHandle.current().pid() + "-agrona-test", "");
        try {
            Files.write(bogus, new byte[8192]);
            ProtocolException e = assertThrows(ProtocolException.class, () -> AgronaSegment.attach(bogus));
            assertTrue(e.getMessage().contains("not an ipclab agrona segment"), e.getMessage());
            IpcException gone = assertThrows(IpcException.class, () -> AgronaSegment.attach(bogus.resolveSibling("ipclab-1-agrona-none")));
            assertTrue(gone.getMessage().contains("no segment"), gone.getMessage());
        } finally {
            Files.deleteIfExists(bogus);
        }
    }
}
