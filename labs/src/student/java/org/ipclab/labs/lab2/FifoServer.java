package org.ipclab.labs.lab2;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Lab 2, tasks 2 and 3: an echo server that meets its client by name, through two FIFOs in a directory.
 * The client is not its child: it found the FIFOs by their path.
 *
 * <pre>
 *   client --- dir/requests ---> server      one line per request
 *   client <--- dir/replies ---- server      "ECHO " + the request
 * </pre>
 * {@code ./ipc lab run 2 FifoServer /tmp/x 3} serves three requests; in a second terminal,
 * {@code echo hi > /tmp/x/requests} and {@code cat /tmp/x/replies} play the client (in which order must they run?).
 */
public final class FifoServer {
    public static final String REQUESTS = "requests";
    public static final String REPLIES = "replies";

    private FifoServer() {
    }

    /**
     * Creates {@code dir/requests} and {@code dir/replies} with {@link Fifos#make}, opens requests for reading
     * and THEN replies for writing, answers up to {@code count} lines, and returns how many it answered
     * (fewer when the client closed early). Both FIFOs are gone when this returns or throws.
     */
    public static int serve(Path dir, int count) throws IOException, InterruptedException {
        Path requests = dir.resolve(REQUESTS);
        Path replies = dir.resolve(REPLIES);
        // TODO(lab2) task 2: make both FIFOs and open them: each open blocks until the client opens the other end
        //   (fifo(7)), so the order of your two opens and the client's two opens matters. For each line: answer
        //   "ECHO " + line, and flush. Stop after count lines or at end of input (readLine() == null).
        // TODO(lab2) task 3: delete both FIFOs in a finally block.
        throw new UnsupportedOperationException("TODO(lab2): FifoServer.serve");
    }

    public static void main(String[] args) throws Exception {
        int answered = serve(Path.of(args[0]), Integer.parseInt(args[1]));
        System.err.println("server: answered " + answered + " requests");
    }
}
