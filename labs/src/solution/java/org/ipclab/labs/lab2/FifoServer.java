package org.ipclab.labs.lab2;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Lab 2 reference solution, tasks 2 and 3. */
public final class FifoServer {
    public static final String REQUESTS = "requests";
    public static final String REPLIES = "replies";

    private FifoServer() {
    }

    public static int serve(Path dir, int count) throws IOException, InterruptedException {
        Path requests = dir.resolve(REQUESTS);
        Path replies = dir.resolve(REPLIES);
        try {
            Fifos.make(requests);
            Fifos.make(replies);
            int answered = 0;
            try (BufferedReader in = Files.newBufferedReader(requests, StandardCharsets.UTF_8);
                 BufferedWriter out = Files.newBufferedWriter(replies, StandardCharsets.UTF_8)) {
                for (String line; answered < count && (line = in.readLine()) != null; answered++) {
                    out.write("ECHO " + line);
                    out.newLine();
                    out.flush();
                }
            }
            return answered;
        } finally {
            Files.deleteIfExists(requests);
            Files.deleteIfExists(replies);
        }
    }

    public static void main(String[] args) throws Exception {
        int answered = serve(Path.of(args[0]), Integer.parseInt(args[1]));
        System.err.println("server: answered " + answered + " requests");
    }
}
