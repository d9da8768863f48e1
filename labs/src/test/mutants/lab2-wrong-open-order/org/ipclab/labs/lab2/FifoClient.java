package org.ipclab.labs.lab2;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Lab 2 MUTANT (wrong on purpose, see LabsSelfTest), task 2. */
public final class FifoClient {
    private FifoClient() {
    }

    public static List<String> ask(Path dir, List<String> messages) throws IOException {
        List<String> answers = new ArrayList<>();
        // Same order as the server: requests first. The other order deadlocks in open(2).
        try (BufferedReader in = Files.newBufferedReader(dir.resolve(FifoServer.REPLIES), StandardCharsets.UTF_8);
             BufferedWriter out = Files.newBufferedWriter(dir.resolve(FifoServer.REQUESTS), StandardCharsets.UTF_8)) {
            for (String m : messages) {
                out.write(m);
                out.newLine();
                out.flush();
                String reply = in.readLine();
                if (reply == null) throw new IOException("the server closed replies after " + answers.size() + " answers");
                answers.add(reply);
            }
        }
        return answers;
    }

    public static void main(String[] args) throws IOException {
        ask(Path.of(args[0]), List.of(args).subList(1, args.length)).forEach(System.out::println);
    }
}
