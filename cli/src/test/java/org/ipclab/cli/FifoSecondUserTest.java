package org.ipclab.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.ipclab.core.ChannelSpec;
import org.ipclab.core.Providers;
import org.ipclab.core.ServerEnd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second user's {@code ipc connect -m fifo} to a server whose FIFOs it cannot reach is told why at
 * once, naming the directory in the way; it used to wait its whole timeout for names it could never
 * see and then say that no FIFOs appeared.
 */
class FifoSecondUserTest {

    @Test
    void aClientBelowADirectoryItMayNotSearchIsRefusedAtOnceNamingThatDirectory(@TempDir Path root) throws Exception {
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        String ipc = SecondUser.ipc(Files.createDirectory(root.resolve("classpath")));
        Path locked = Files.createDirectory(root.resolve("locked"));
        Path shared = Files.createDirectory(locked.resolve("shared"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        try (ServerEnd server = Providers.get("fifo").open(ChannelSpec.of("fifo").with("path", shared.toString()))) {
            SecondUser.Run r = SecondUser.run(ipc + " connect -m fifo --path " + shared + " --timeout 30s hello");
            assertNotEquals(0, r.exit(), r.out());
            assertTrue(r.out().contains("may not search " + locked + ", on the way to " + shared + " (owner uid 0, rwx------)"), r.out());
            assertFalse(r.out().contains("timed out"), "refused at once, not at the timeout: " + r.out());
        }
    }
}
