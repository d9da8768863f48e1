package org.ipclab.labs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.ipclab.core.BadInputException;

/**
 * {@code ipc lab handout DIR}: the students' copy of a working tree. It holds what they need to build
 * {@code ipc} and do every lab (the modules, the skeletons, the lab texts and the checks, so that
 * {@code ./ipc lab check N} works at home), and none of what would give the answers away.
 */
public final class Handout {
    /** Left out, relative to the tree: reference solutions and results, the labs' self-test with its wrong solutions, answer keys. */
    public static final List<String> LEFT_OUT = List.of("labs/src/solution/", "labs/src/test/", "docs/labs/answers/", "labs/.progress",
            "labs/lab7/");

    private Handout() {
    }

    /** Copies the tree's files (those git tracks when it is a git work tree, else all but build output) and returns how many. */
    public static int write(Path tree, Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isPresent()) throw new BadInputException(dir + " is not empty; give a new or empty directory for the handout");
            }
        }
        Path target = dir.toAbsolutePath().normalize();
        if (target.startsWith(tree.toAbsolutePath().normalize())) {
            throw new BadInputException(dir + " is inside the working tree " + tree + "; write the handout elsewhere");
        }
        int n = 0;
        for (String rel : files(tree)) {
            if (LEFT_OUT.stream().anyMatch(rel::startsWith)) continue;
            Path from = tree.resolve(rel);
            if (!Files.isRegularFile(from)) continue;
            Path to = target.resolve(rel);
            Files.createDirectories(to.getParent());
            Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
            n++;
        }
        return n;
    }

    private static List<String> files(Path tree) throws IOException {
        if (Files.exists(tree.resolve(".git"))) {
            try {
                Process git = new ProcessBuilder("git", "-C", tree.toString(), "ls-files", "-z").redirectErrorStream(false).start();
                byte[] out = git.getInputStream().readAllBytes();
                if (git.waitFor(30, TimeUnit.SECONDS) && git.exitValue() == 0) {
                    List<String> files = new ArrayList<>();
                    for (String f : new String(out, StandardCharsets.UTF_8).split("\0")) if (!f.isEmpty()) files.add(f);
                    return files;
                }
            } catch (IOException | InterruptedException e) {
                if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                // no git: walk the tree below
            }
        }
        List<String> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(tree)) {
            walk.filter(Files::isRegularFile).map(p -> tree.relativize(p).toString().replace('\\', '/'))
                    .filter(r -> !r.startsWith(".git/") && !r.contains("/target/") && !r.startsWith("target/"))
                    .forEach(files::add);
        }
        return files;
    }
}
