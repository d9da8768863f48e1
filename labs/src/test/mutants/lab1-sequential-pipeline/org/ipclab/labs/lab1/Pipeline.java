package org.ipclab.labs.lab1;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * Lab 1 MUTANT (wrong on purpose, see LabsSelfTest): runs the commands one after the other, storing each
 * one's whole output before feeding it to the next. 'yes' never ends, so its output grows until memory runs out.
 */
public final class Pipeline {
    private Pipeline() {
    }

    public static String run(List<List<String>> commands) throws IOException, InterruptedException {
        byte[] data = new byte[0];
        for (List<String> c : commands) {
            Process p = new ProcessBuilder(c).start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(data);
            }
            data = p.getInputStream().readAllBytes();
            p.waitFor();
        }
        return new String(data);
    }

    public static void main(String[] args) throws Exception {
        System.out.print(run(List.of(List.of("seq", "1", "100000"), List.of("grep", "7"), List.of("wc", "-l"))));
    }
}
