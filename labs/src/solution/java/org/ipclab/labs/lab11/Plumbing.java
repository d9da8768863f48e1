package org.ipclab.labs.lab11;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Lab 11 reference solution, task 3. */
public final class Plumbing {
    private Plumbing() {
    }

    public static String run(List<List<String>> stages) throws IOException, InterruptedException {
        List<ProcessBuilder> builders = new ArrayList<>();
        for (List<String> s : stages) builders.add(new ProcessBuilder(s).redirectError(ProcessBuilder.Redirect.INHERIT));
        List<Process> ps = ProcessBuilder.startPipeline(builders); // one pipe between neighbours, this JVM at the ends only
        String out = new String(ps.get(ps.size() - 1).getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        for (Process p : ps) p.waitFor();
        return out;
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
