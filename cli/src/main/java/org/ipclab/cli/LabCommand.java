package org.ipclab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.ipclab.core.BadInputException;
import org.ipclab.labs.GradeReports;
import org.ipclab.labs.Lab;
import org.ipclab.labs.LabCatalog;
import org.ipclab.labs.LabDirs;
import org.ipclab.labs.LabRunner;
import org.ipclab.labs.Sandbox;
import org.ipclab.labs.Task;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "lab", mixinStandardHelpOptions = true,
        description = {"The course labs: list them, check your work, run your code.",
                "Lab texts: docs/labs/. Your code: labs/src/student/java/org/ipclab/labs/labN."},
        subcommands = {LabCommand.ListLabs.class, LabCommand.Check.class, LabCommand.Run.class, LabCommand.Hint.class,
                LabCommand.Handout.class},
        footer = {"", "Examples:",
                "  ipc lab list                    the labs and your progress",
                "  ipc lab check 1                 grade lab 1: a score and a hint per task",
                "  ipc lab check 1 --task 2        grade task 2 only (exit 0 when it passes)",
                "  ipc lab hint 1 2 --level 2      the second, more concrete hint for lab 1 task 2",
                "  ipc lab run 1 PingPong 10000    compile your lab 1 code, run one class",
                "Teachers:",
                "  ipc lab handout /srv/handout    the students' tree: no solutions, mutants or answer keys",
                "  ipc lab check 1 --sandbox --dir subs/* --students map.csv --csv grades.csv --junit xml/",
                "                                  grade many submissions in parallel, isolated",
                "See docs/labs/README.md (For teachers)."})
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
                    "a score per task and a hint for each failed one. Each task runs in a JVM of its",
                    "own with a memory and time limit; leftovers of a crashed attempt are removed first.",
                    "Exit code 0 when every graded task passed, 1 otherwise."})
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "N", description = "The lab number (see 'ipc lab list').")
        String lab;

        @Option(names = "--dir", paramLabel = "TREE", arity = "1..*",
                description = "Working tree(s) to grade (repeatable: one per submission). Default: this one.")
        List<Path> dirs = new ArrayList<>();

        @Option(names = "--task", paramLabel = "K", description = "Grade task K only (repeatable), e.g. one autograding test per task.")
        List<Integer> tasks = new ArrayList<>();

        @Option(names = "--timeout", paramLabel = "TIME", defaultValue = "20s", description = "Longest time for one task (default: ${DEFAULT-VALUE}).")
        String timeout;

        @Option(names = "--sandbox", description = {"Run each task as uid 65534 in new PID, mount, IPC and network namespaces",
                "(loopback only, private /tmp and /dev/shm) with CPU/process/file limits. Needs root."})
        boolean sandbox;

        @Option(names = "--jobs", paramLabel = "J", description = "Submissions graded at once (default: the number of CPUs).")
        Integer jobs;

        @Option(names = "--students", paramLabel = "FILE", description = "CSV 'directory,student': the student id of each submission.")
        Path students;

        @Option(names = "--csv", paramLabel = "FILE", description = "Write one line per submission and task: student,directory,lab,task,score,max,passed,problem.")
        Path csv;

        @Option(names = "--junit", paramLabel = "DIR", description = "Write a JUnit XML report per submission into DIR (TEST-labN-STUDENT.xml).")
        Path junit;

        @Option(names = "--gradescope", paramLabel = "FILE", description = "Write Gradescope's results.json (one submission only).")
        Path gradescope;

        @Override
        public Integer call() throws Exception {
            Lab l = lab(lab, spec);
            Duration perTask = org.ipclab.core.Units.parseDuration("--timeout", timeout);
            if (perTask.toSeconds() < 1 || perTask.toSeconds() > 600) {
                throw new ParameterException(spec.commandLine(), "--timeout must be between 1s and 600s, not " + timeout);
            }
            for (int t : tasks) {
                if (l.tasks().stream().noneMatch(x -> x.number() == t)) {
                    throw new ParameterException(spec.commandLine(), "lab " + l.number() + " has no task " + t + "; its tasks are 1.."
                            + l.tasks().size());
                }
            }
            int cpus = Runtime.getRuntime().availableProcessors();
            if (jobs != null && (jobs < 1 || jobs > 4 * cpus)) {
                throw new ParameterException(spec.commandLine(), "--jobs must be between 1 and " + 4 * cpus + " (4 x CPUs), not " + jobs);
            }
            if (gradescope != null && dirs.size() > 1) {
                throw new ParameterException(spec.commandLine(), "--gradescope writes one submission's results.json; "
                        + dirs.size() + " --dir given");
            }
            Sandbox box;
            try {
                box = sandbox ? Sandbox.isolated() : Sandbox.NONE;
            } catch (BadInputException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            Map<String, String> ids = Map.of();
            if (students != null) {
                try {
                    ids = GradeReports.readStudents(students);
                } catch (BadInputException | IOException e) {
                    throw new ParameterException(spec.commandLine(), "--students " + e.getMessage());
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            LabRunner runner = new LabRunner(tree(null, spec), System.getProperty("java.class.path"));
            List<Path> trees = new ArrayList<>();
            if (dirs.isEmpty()) trees.add(tree(null, spec));
            for (Path d : dirs) trees.add(tree(d, spec));
            long t0 = System.nanoTime();
            List<LabRunner.Outcome> outcomes = runner.checkAll(trees, l, new LabRunner.Options(tasks, perTask, box),
                    jobs != null ? jobs : cpus, out);
            if (trees.size() > 1) {
                out.println();
                out.printf("%-24s %-40s %s%n", "STUDENT", "SUBMISSION", "SCORE");
                for (LabRunner.Outcome o : outcomes) {
                    out.printf("%-24s %-40s %s%n", GradeReports.studentOf(o.tree(), ids), o.tree(),
                            o.score() < 0 ? "0/" + o.max() + " (" + o.problem() + ")" : o.score() + "/" + o.max());
                }
                long full = outcomes.stream().filter(LabRunner.Outcome::passed).count();
                out.printf("%d submissions graded in %d s: %d with full marks%n", outcomes.size(),
                        (System.nanoTime() - t0) / 1_000_000_000L, full);
            }
            if (csv != null) Files.write(csv, GradeReports.csv(outcomes, ids));
            if (junit != null) {
                Files.createDirectories(junit);
                for (LabRunner.Outcome o : outcomes) {
                    String id = GradeReports.studentOf(o.tree(), ids).replaceAll("[^A-Za-z0-9._-]", "_");
                    Files.writeString(junit.resolve("TEST-lab" + l.number() + "-" + id + ".xml"), GradeReports.junitXml(o, id));
                }
            }
            if (gradescope != null) Files.writeString(gradescope, GradeReports.gradescopeJson(outcomes.get(0)));
            return outcomes.stream().allMatch(LabRunner.Outcome::passed) ? ExitCodes.OK : ExitCodes.FAILURE;
        }
    }

    @Command(name = "hint", mixinStandardHelpOptions = true,
            description = {"A hint for one task: level 1 names the call and the trap (what a failed check",
                    "shows), level 2 the shape of the code. Try level 1 first."})
    static final class Hint implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "N", description = "The lab number.")
        String lab;

        @Parameters(index = "1", paramLabel = "TASK", description = "The task number.")
        int task;

        @Option(names = "--level", paramLabel = "K", defaultValue = "1", description = "1 (default) or 2.")
        int level;

        @Override
        public Integer call() {
            Lab l = lab(lab, spec);
            Task t = l.tasks().stream().filter(x -> x.number() == task).findFirst().orElseThrow(() -> new ParameterException(
                    spec.commandLine(), "lab " + l.number() + " has no task " + task + "; its tasks are 1.." + l.tasks().size()));
            List<String> hints = t.hints();
            if (level < 1 || level > hints.size()) {
                throw new ParameterException(spec.commandLine(), "lab " + l.number() + " task " + task + " has hint levels 1.."
                        + hints.size() + ", not " + level);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf("lab %d task %d (%s), hint %d of %d:%n  %s%n", l.number(), task, t.title(), level, hints.size(), hints.get(level - 1));
            if (level < hints.size()) out.printf("more concrete: ipc lab hint %d %d --level %d%n", l.number(), task, level + 1);
            return ExitCodes.OK;
        }
    }

    @Command(name = "handout", mixinStandardHelpOptions = true,
            description = {"Write the students' copy of this working tree into DIR: everything they need",
                    "to build ipc and do the labs (skeletons, texts, checks), without the reference",
                    "solutions, the self-test's mutants and forgeries, or the answer keys."})
    static final class Handout implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "DIR", description = "A new or empty directory.")
        Path dir;

        @Override
        public Integer call() throws IOException {
            try {
                int n = org.ipclab.labs.Handout.write(tree(null, spec), dir);
                spec.commandLine().getOut().printf("wrote %d files to %s (no solutions, mutants or answer keys)%n", n, dir);
            } catch (BadInputException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            return ExitCodes.OK;
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
