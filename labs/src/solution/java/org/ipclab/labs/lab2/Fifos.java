package org.ipclab.labs.lab2;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Lab 2 reference solution, task 1. */
public final class Fifos {
    private Fifos() {
    }

    public static void make(Path path) throws IOException, InterruptedException {
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) throw new FileAlreadyExistsException(path.toString());
        Process p = new ProcessBuilder("mkfifo", "-m", "600", path.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        int code = p.waitFor();
        if (code != 0) throw new IOException("mkfifo " + path + " failed (exit " + code + "): " + out);
    }
}
