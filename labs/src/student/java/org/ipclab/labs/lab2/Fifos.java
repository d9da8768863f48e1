package org.ipclab.labs.lab2;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;

/** Lab 2, task 1: a named pipe is a file of type p ({@code ls -l} shows {@code prw-------}). */
public final class Fifos {
    private Fifos() {
    }

    /**
     * Creates a FIFO at {@code path} with mode 0600 (owner read/write only).
     *
     * @throws FileAlreadyExistsException when something already exists there
     * @throws IOException when mkfifo fails (its exit code and error output in the message)
     */
    public static void make(Path path) throws IOException, InterruptedException {
        // TODO(lab2) task 1: refuse an existing path (Files.exists(path, LinkOption.NOFOLLOW_LINKS)), then run
        //   new ProcessBuilder("mkfifo", "-m", "600", path.toString()) and check its exit code.
        //   (Java has no mkfifo of its own; JNR-POSIX's posix.mkfifo(path, 0600) is the library route.)
        throw new UnsupportedOperationException("TODO(lab2): Fifos.make");
    }
}
