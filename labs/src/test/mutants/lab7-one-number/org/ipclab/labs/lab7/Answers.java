package org.ipclab.labs.lab7;

import java.nio.file.Path;
import java.util.List;

import org.ipclab.labs.LabDirs;

/** Lab 7 MUTANT (wrong on purpose, see LabsSelfTest): 40 words of filler around a single measured number. */
public final class Answers {
    private Answers() {
    }

    public static Path resultsFile() {
        return LabDirs.labsDir().resolve("src/solution/resources/lab7/results.json");
    }

    public static List<String> predictedRanking() {
        return List.of("unix", "tcp");
    }

    public static String explanation() {
        return "I measured things and the numbers were interesting and roughly what I expected from the lab texts, "
                + "with one of them at 8.87 and the others somewhere near it; the machine was shared so the results are noisy "
                + "and I would need more repeats to be sure of anything at all here.";
    }
}
