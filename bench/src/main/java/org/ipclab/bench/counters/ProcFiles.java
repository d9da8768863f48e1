package org.ipclab.bench.counters;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the counters are read from: {@code /proc} on a real machine, injected text in tests.
 * Paths are relative to {@code /proc} ("1234/task/1235/status").
 */
public interface ProcFiles {
    /** The lines of a file; throws when it cannot be read (the message says why). */
    List<String> lines(String path) throws IOException;

    /** The names in a directory. */
    List<String> list(String path) throws IOException;

    /** The real {@code /proc}. Read line by line: /proc files have no size to read ahead by. */
    ProcFiles SYSTEM = new ProcFiles() {
        @Override
        public List<String> lines(String path) throws IOException {
            return Files.readAllLines(Path.of("/proc", path));
        }

        @Override
        public List<String> list(String path) throws IOException {
            List<String> names = new ArrayList<>();
            try (DirectoryStream<Path> d = Files.newDirectoryStream(Path.of("/proc", path))) {
                for (Path p : d) names.add(p.getFileName().toString());
            }
            return names;
        }
    };
}
