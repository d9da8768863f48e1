package org.ipclab.labs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Where the labs module is: the directory with src/student, src/solution, src/check and the student's lab7/ results. */
public final class LabDirs {
    /** Set by the grader and by {@code ipc lab}: the {@code labs} directory of the working tree. */
    public static final String PROPERTY = "ipclab.labs.dir";

    private LabDirs() {
    }

    public static Path labsDir() {
        String p = System.getProperty(PROPERTY);
        return p != null ? Path.of(p) : Path.of("labs").toAbsolutePath();
    }

    /** Walks up from {@code start} to the first directory holding {@code labs/src/student}: the working tree's root. */
    public static Optional<Path> findRoot(Path start) {
        for (Path p = start.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("labs/src/student"))) return Optional.of(p);
        }
        return Optional.empty();
    }
}
