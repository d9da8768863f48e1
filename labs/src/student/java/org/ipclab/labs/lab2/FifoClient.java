package org.ipclab.labs.lab2;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Lab 2, task 2: the client of {@link FifoServer}, in another process that only knows the directory. */
public final class FifoClient {
    private FifoClient() {
    }

    /** Sends each message as one line to {@code dir/requests} and returns the replies from {@code dir/replies}, in order. */
    public static List<String> ask(Path dir, List<String> messages) throws IOException {
        // TODO(lab2) task 2: open dir/requests for writing and dir/replies for reading — in which order?
        //   (Opening a FIFO waits until the other end is opened too. Read FifoServer.serve again.)
        //   Then for each message: write it, newLine(), flush(), readLine() the reply.
        throw new UnsupportedOperationException("TODO(lab2): FifoClient.ask");
    }

    public static void main(String[] args) throws IOException {
        ask(Path.of(args[0]), List.of(args).subList(1, args.length)).forEach(System.out::println);
    }
}
