package org.ipclab.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.Users;

/** {@code ipc} run as a second user, uid 65534 (setpriv), as a hostile test needs it. */
final class SecondUser {
    static final int UID = 65534;

    private SecondUser() {
    }

    record Run(int exit, String out) {
    }

    /**
     * The {@code ipc} command line for the second user, as one shell string. The build's class path
     * lives under root's home, which that user may not read: it runs from a readable copy in {@code copyDir}.
     */
    static String ipc(Path copyDir) throws IOException, InterruptedException {
        assumeTrue(Users.isRoot(), "needs root to become a second user (setpriv)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs /usr/bin/setpriv (util-linux)");
        Files.setPosixFilePermissions(copyDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path src = Path.of(e);
            if (!Files.exists(src)) continue;
            Path dst = copyDir.resolve((i++) + "-" + src.getFileName());
            new ProcessBuilder("cp", "-r", src.toString(), dst.toString()).start().waitFor();
            entries.add(dst.toString());
        }
        new ProcessBuilder("chmod", "-R", "a+rX", copyDir.toString()).start().waitFor();
        StringBuilder line = new StringBuilder();
        for (String c : Ipc.java(String.join(":", entries), Main.class.getName())) {
            line.append('\'').append(c.replace("'", "'\\''")).append("' ");
        }
        return line.toString().trim();
    }

    /** Runs a shell command as the second user; skips (with the reason) where setpriv is refused. */
    static Run run(String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/usr/bin/setpriv", "--reuid=" + UID, "--regid=" + UID, "--clear-groups", "/bin/sh", "-c", script)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "as uid " + UID + ": " + script + " did not finish");
        assumeTrue(!out.startsWith("setpriv:"), "setpriv refused here: " + out.trim());
        return new Run(p.exitValue(), out);
    }
}
