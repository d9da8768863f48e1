package org.ipclab.labs.lab1;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Lab 1 reference solution, tasks 3 and 4. */
public final class Pipeline {
    private Pipeline() {
    }

    public static String run(List<List<String>> commands) throws IOException, InterruptedException {
        List<ProcessBuilder> builders = new ArrayList<>();
        for (List<String> c : commands) builders.add(new ProcessBuilder(c).redirectError(ProcessBuilder.Redirect.INHERIT));
        List<Process> processes = ProcessBuilder.startPipeline(builders);
        try (InputStream last = processes.get(processes.size() - 1).getInputStream()) {
            return new String(last.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            for (Process p : processes) {
                // 'yes' in 'yes | head' dies of SIGPIPE on its next write; give it a moment, then stop it.
                if (!p.waitFor(1, java.util.concurrent.TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
            }
        }
    }

    public static void main(String[] args) throws Exception {
        System.out.print(run(List.of(List.of("seq", "1", "100000"), List.of("grep", "7"), List.of("wc", "-l"))));
    }
}
