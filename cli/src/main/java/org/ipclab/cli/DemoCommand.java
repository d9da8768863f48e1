package org.ipclab.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import org.ipclab.core.BadInputException;
import org.ipclab.core.Demo;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run a narrated experiment, step by step.",
                "Without a name: list the demos. Each demo is a subcommand with its own",
                "help ('ipc demo pipe --help'); arguments after the name go to the demo."})
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-l", "--list"}, description = "List the demos (the same as no name).")
    boolean list;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "The demo to run.")
    String name;

    @Parameters(index = "1..*", paramLabel = "ARG", description = "Arguments for the demo.")
    List<String> args = new ArrayList<>();

    static List<Demo> demos() {
        List<Demo> all = new ArrayList<>();
        ServiceLoader.load(Demo.class).forEach(all::add);
        all.sort(Comparator.comparing(Demo::name));
        return all;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<Demo> demos = demos();
        if (name == null || list) {
            if (demos.isEmpty()) out.println("no demos on the class path");
            for (Demo d : demos) out.printf("%-10s %s%n", d.name(), d.summary());
            return ExitCodes.OK;
        }
        // A known demo is a subcommand; only a name that is none reaches here.
        throw new BadInputException("unknown demo '" + name + "' (known: "
                + demos.stream().map(Demo::name).collect(Collectors.joining(", ")) + ")");
    }

    /** Adds every demo found on the class path as a subcommand of {@code ipc demo}, with picocli's --help. */
    static void install(CommandLine demo) {
        for (Demo d : demos()) {
            DemoRun run = new DemoRun(d);
            CommandSpec sub = CommandSpec.wrapWithoutInspection(run);
            sub.name(d.name()).mixinStandardHelpOptions(true);
            List<String> footer = new ArrayList<>(List.of("", "Options of the demo:"));
            footer.addAll(d.usage());
            sub.usageMessage().description(d.summary()).footer(footer.toArray(new String[0]));
            sub.addPositional(PositionalParamSpec.builder().index("0..*").arity("0..*").paramLabel("ARG")
                    .type(String[].class).description("Arguments for the demo (below).").build());
            sub.parser().unmatchedOptionsArePositionalParams(true);
            run.spec = sub;
            demo.addSubcommand(d.name(), new CommandLine(sub));
        }
    }

    /** One demo, run with the arguments picocli collected. */
    private static final class DemoRun implements Callable<Integer> {
        private final Demo demo;
        CommandSpec spec;

        DemoRun(Demo demo) {
            this.demo = demo;
        }

        @Override
        public Integer call() throws Exception {
            String[] given = spec.positionalParameters().get(0).getValue();
            PrintStream stdout = System.out;
            int code = demo.run(given == null ? List.of() : List.of(given), stdout);
            stdout.flush();
            return code;
        }
    }
}
