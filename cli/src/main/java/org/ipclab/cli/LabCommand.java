package org.ipclab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.ipclab.core.BadInputException;
import org.ipclab.labs.Lab;
import org.ipclab.labs.LabCatalog;
import org.ipclab.labs.LabDirs;
import org.ipclab.labs.LabRunner;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "lab", mixinStandardHelpOptions = true,
        description = {"The course labs: list them, check your work, run your code.",
                "Lab texts: docs/labs/. Your code: labs/src/student/java/org/ipclab/labs/labN."},
        subcommands = {LabCommand.ListLabs.class, LabCommand.Check.class, LabCommand.Run.class},
        footer = {"", "Examples:",
                "  ipc lab list                    the labs and your progress",
                "  ipc lab check 1                 grade lab 1: a score and a hint per task",
                "  ipc lab run 1 PingPong 10000    compile your lab 1 code, run one class",
                "  ipc lab check 1 --dir alice --dir bob --csv grades.csv",
                "                                  grade many submissions in one run",
                "Teachers: docs/labs/README.md"})
final class LabCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The ipclab working tree: the one holding this jar (cli/target/ipc.jar), else the one around the current directory. */
    static Path ownTree() {
        try {
            Path jar = Path.of(LabCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Optional<Path> fromJar = LabDirs.findRoot(jar);
            if (fromJar.isPresent()) return fromJar.get();
        } catch (Exception e) {
            // fall through to the current directory
        }
        return LabDirs.findRoot(Path.of("")).orElseThrow(() -> new BadInputException(
                "cannot find the ipclab working tree (a directory with labs/src/student); run ipc from inside it or pass --dir"));
    }

    static Path tree(Path dir, CommandSpec spec) {
        try {
            if (dir == null) return ownTree();
            if (!Files.isDirectory(dir.resolve("labs/src/student"))) {
                throw new BadInputException(dir + " is not an ipclab working tree: it has no labs/src/student");
            }
            return dir;
        } catch (BadInputException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** The lab, or a usage error (exit 2) that lists the labs there are. */
    static Lab lab(String n, CommandSpec spec) {
        try {
            if (!n.matches("\\d{1,3}")) LabCatalog.get(-1); // throws, listing the labs
            return LabCatalog.get(Integer.parseInt(n));
        } catch (BadInputException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage().replace("lab -1", "lab '" + n + "'"));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The labs in teaching order, their time and your last check.")
    static final class ListLabs implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--dir", paramLabel = "TREE", description = "Working tree whose progress to show (default: this one).")
        Path dir;

        @Override
        public Integer call() {
            Path t;
            try {
                t = dir != null ? tree(dir, spec) : ownTree();
            } catch (BadInputException e) {
                t = null; // no working tree around: list the labs without progress
            }
            LabRunner.list(t, spec.commandLine().getOut());
            return ExitCodes.OK;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Compile your code for lab N with the lab's check and grade it:",
                    "a score per task and a hint for each failed one. Leftovers of a crashed",
                    "attempt are removed first; a task that hangs fails after --timeout.",
                    "Exit code 0 when every task passed, 1 otherwise."})
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "N", description = "The lab number (see 'ipc lab list').")
        String lab;

        @Option(names = "--dir", paramLabel = "TREE", description = "A working tree to grade (repeatable: one per submission). Default: this one.")
        List<Path> dirs = new ArrayList<>();

        @Option(names = "--timeout", paramLabel = "TIME", defaultValue = "20s", description = "Longest time for one task (default: ${DEFAULT-VALUE}).")
        String timeout;

        @Option(names = "--csv", paramLabel = "FILE", description = "Also write one line per submission: tree,lab,score,max,problem.")
        Path csv;

        @Override
        public Integer call() throws Exception {
            Lab l = lab(lab, spec);
            Duration perTask = org.ipclab.core.Units.parseDuration("--timeout", timeout);
            PrintWriter out = spec.commandLine().getOut();
            LabRunner runner = new LabRunner(tree(null, spec), System.getProperty("java.class.path"));
            List<Path> trees = new ArrayList<>();
            if (dirs.isEmpty()) trees.add(tree(null, spec));
            for (Path d : dirs) trees.add(tree(d, spec));
            List<LabRunner.Outcome> outcomes = new ArrayList<>();
            for (Path t : trees) {
                if (trees.size() > 1) out.println("== " + t);
                outcomes.add(runner.check(t, l, perTask, out));
            }
            if (trees.size() > 1) {
                out.println();
                out.printf("%-40s %s%n", "SUBMISSION", "SCORE");
                for (LabRunner.Outcome o : outcomes) {
                    out.printf("%-40s %s%n", o.tree(), o.score() < 0 ? "-/" + o.max() + " (" + o.problem() + ")" : o.score() + "/" + o.max());
                }
            }
            if (csv != null) writeCsv(outcomes);
            return outcomes.stream().allMatch(LabRunner.Outcome::passed) ? ExitCodes.OK : ExitCodes.FAILURE;
        }

        private void writeCsv(List<LabRunner.Outcome> outcomes) throws IOException {
            List<String> lines = new ArrayList<>(List.of("tree,lab,score,max,problem"));
            for (LabRunner.Outcome o : outcomes) {
                lines.add("\"" + o.tree().toString().replace("\"", "\"\"") + "\"," + o.lab() + "," + (o.score() < 0 ? "" : o.score()) + ","
                        + o.max() + "," + (o.problem() == null ? "" : "\"" + o.problem().replace("\"", "\"\"") + "\""));
            }
            Files.write(csv, lines);
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Compile your code for lab N and run one of its classes (its main method)",
                    "with the class path it needs, e.g. 'ipc lab run 3 Race racy 1000000'."})
    static final class Run implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "N", description = "The lab number.")
        String lab;

        @Parameters(index = "1", paramLabel = "CLASS", description = "A class of the lab, e.g. PingPong.")
        String className;

        @Parameters(index = "2..*", paramLabel = "ARG", description = "Arguments for its main method.")
        List<String> args = new ArrayList<>();

        @Option(names = "--dir", paramLabel = "TREE", description = "Working tree (default: this one).")
        Path dir;

        @Override
        public Integer call() throws Exception {
            Lab l = lab(lab, spec);
            LabRunner runner = new LabRunner(tree(null, spec), System.getProperty("java.class.path"));
            try {
                return runner.run(tree(dir, spec), l, className, args, spec.commandLine().getOut());
            } catch (BadInputException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
    }
}
