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

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run a narrated experiment, step by step.",
                "Without a name: list the demos. Arguments after the name go to",
                "the demo ('ipc demo pipe --help')."})
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
        Demo demo = demos.stream().filter(d -> d.name().equals(name)).findFirst()
                .orElseThrow(() -> new BadInputException("unknown demo '" + name + "' (known: "
                        + demos.stream().map(Demo::name).collect(Collectors.joining(", ")) + ")"));
        if (args.contains("--help") || args.contains("-h")) {
            out.println("Usage: ipc demo " + demo.name() + " [ARG...]");
            out.println(demo.summary());
            demo.usage().forEach(out::println);
            return ExitCodes.OK;
        }
        out.flush();
        PrintStream stdout = System.out;
        int code = demo.run(List.copyOf(args), stdout);
        stdout.flush();
        return code;
    }
}
