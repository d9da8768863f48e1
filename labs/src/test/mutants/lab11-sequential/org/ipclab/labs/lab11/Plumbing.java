package org.ipclab.labs.lab11;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Lab 11 mutant: stages one after another through the JVM, task 3. */
public final class Plumbing {
    private Plumbing() {
    }

    public static String run(List<List<String>> stages) throws IOException, InterruptedException {
        // Wrong: one stage after another, each one's output through this JVM into the next (right output, no pipeline)
        byte[] data = new byte[0];
        for (List<String> s : stages) {
            Process p = new ProcessBuilder(s).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (var in = p.getOutputStream()) {
                in.write(data);
            }
            data = p.getInputStream().readAllBytes();
            p.waitFor();
        }
        return new String(data, StandardCharsets.UTF_8);
    }

    public static void main(String[] args) throws Exception {
        List<List<String>> stages = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (String a : args) {
            if (a.equals("--")) {
                stages.add(current);
                current = new ArrayList<>();
            } else {
                current.add(a);
            }
        }
        stages.add(current);
        System.out.print(run(stages));
    }
}
