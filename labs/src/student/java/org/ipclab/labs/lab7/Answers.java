package org.ipclab.labs.lab7;

import java.nio.file.Path;
import java.util.List;

/** Lab 7, tasks 3 and 4: your measurement and your words. */
public final class Answers {
    private Answers() {
    }

    /** Task 3: the file your own {@code ipc bench ... --json} run wrote. */
    public static Path resultsFile() {
        // TODO(lab7) task 3: return LabDirs.labsDir().resolve("lab7/results.json");  (after running the bench command of the lab text)
        throw new UnsupportedOperationException("TODO(lab7): Answers.resultsFile");
    }

    /** Task 4: the mechanisms you measured, fastest first, as you predicted them BEFORE measuring. */
    public static List<String> predictedRanking() {
        // TODO(lab7) task 4: e.g. return List.of("tcp", "unix"); — your prediction, right or wrong; the check does not grade it.
        throw new UnsupportedOperationException("TODO(lab7): Answers.predictedRanking");
    }

    /**
     * Task 4: at least 40 words. Was your prediction right? Quote at least one p50 you measured (e.g. "8.9 µs").
     * What did the 64 KiB messages change, and why? What surprised you?
     */
    public static String explanation() {
        // TODO(lab7) task 4
        throw new UnsupportedOperationException("TODO(lab7): Answers.explanation");
    }
}
