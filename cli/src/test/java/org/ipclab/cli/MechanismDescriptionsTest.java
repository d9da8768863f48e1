package org.ipclab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.ipclab.bench.baseline.NativeBaseline;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.MechanismOption;
import org.ipclab.core.Providers;
import org.junit.jupiter.api.Test;

/**
 * What "mechanisms describe themselves" promises, checked over every provider on the class path:
 * each one has a contract test in its module, names only C programs the native baseline has,
 * declares options the CLI can parse, and no mechanism or option name is written anywhere outside
 * the mechanism modules (so that nothing can skip a mechanism by forgetting it).
 */
class MechanismDescriptionsTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    /**
     * Literals that are a mechanism's option name by coincidence and mean something else where
     * they stand, each with the file it is allowed in and why.
     */
    private static final java.util.Map<String, String> ELSEWHERE = java.util.Map.of(
            "labs/src/main/java/org/ipclab/labs/GradeReports.java \"name\"", "Gradescope's tests[].name field",
            "ipc-core/src/main/java/org/ipclab/core/io/IoRoute.java \"io\"", "core defines the io route (nio|ffm) the stream and datagram mechanisms share",
            "bench/src/main/java/org/ipclab/bench/counters/ThreadSample.java \"io\"", "the /proc file called io");

    /** The modules that must read descriptions instead of naming mechanisms. */
    private static final List<String> READERS = List.of("ipc-core", "ipc-testkit", "bench", "cli", "jmh", "labs/src/main");

    /** Every spec worth describing: the defaults, and each value of each CHOICE option. */
    static List<ChannelSpec> specs(ChannelProvider p) {
        List<ChannelSpec> specs = new ArrayList<>();
        specs.add(ChannelSpec.of(p.name()));
        for (MechanismOption o : p.describe().options()) {
            for (String v : o.allowed()) specs.add(ChannelSpec.of(p.name()).with(o.name(), v));
        }
        return specs;
    }

    @Test
    void everyProviderDescribesItselfForEveryChoice() {
        assertFalse(Providers.all().isEmpty(), "no providers on the class path");
        Set<String> names = new HashSet<>();
        for (ChannelProvider p : Providers.all()) {
            assertTrue(names.add(p.name()), "two providers are called " + p.name());
            for (ChannelSpec spec : specs(p)) {
                MechanismInfo info = p.describe(spec);
                assertEquals(p.name(), info.name(), "describe() names its own mechanism");
                assertFalse(info.description().isBlank(), p.name() + " says what it is");
                assertTrue(info.maxMessageSize() >= 0, spec + ": maximum message");
            }
        }
    }

    @Test
    void everyNamedCProgramExists() throws IOException {
        assumeTrue(NativeBaseline.findCompiler().isPresent(), "no C compiler here: the native baseline is skipped");
        List<String> notes = new ArrayList<>();
        NativeBaseline c = NativeBaseline.prepare(NativeBaseline.defaultCacheRoot(), notes::add)
                .orElseThrow(() -> new AssertionError("the native baseline did not build: " + notes));
        List<String> programs = c.programs();
        for (ChannelProvider p : Providers.all()) {
            for (ChannelSpec spec : specs(p)) {
                Optional<String> program = p.describe(spec).nativeProgram();
                program.ifPresent(name -> assertTrue(programs.contains(name),
                        spec + " names C program '" + name + "', which ipclab-native lacks (it has " + programs + ")"));
            }
        }
    }

    @Test
    void everyOptionIsOneTheCliCanParse() {
        for (ChannelProvider p : Providers.all()) {
            for (MechanismOption o : p.describe().options()) {
                assertTrue(o.name().matches("[a-z][a-z0-9-]*"), p.name() + " option '" + o.name() + "' is not a CLI key");
                assertFalse(o.help().isBlank(), p.name() + " option " + o.name() + " has no help");
                o.defaultValue().ifPresent(o::check); // a default the CLI would refuse is a provider bug
                if (o.type() == MechanismOption.Type.CHOICE) {
                    for (String v : o.allowed()) o.check(v);
                }
            }
        }
        // Every shortcut flag lands on the commands without clashing with their own options.
        Main.commandLine();
    }

    @Test
    void everyProviderHasAContractTestInItsModule() throws IOException {
        for (ChannelProvider p : Providers.all()) {
            Path module = moduleOf(p);
            Set<String> tested = new TreeSet<>();
            try (Stream<Path> files = Files.walk(module.resolve("src/test/java"))) {
                for (Path f : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    String text = Files.readString(f);
                    if (!text.contains("extends ChannelContract")) continue;
                    Matcher m = Pattern.compile("ChannelSpec\\.of\\(\"([^\"]+)\"").matcher(text);
                    while (m.find()) tested.add(m.group(1));
                }
            }
            assertTrue(tested.contains(p.name()), p.name() + " has no contract test in " + ROOT.relativize(module)
                    + " (a class that extends ChannelContract with ChannelSpec.of(\"" + p.name() + "\")); found: " + tested);
        }
    }

    @Test
    void noMechanismOrOptionNameIsWrittenOutsideItsModule() throws IOException {
        Set<String> names = new TreeSet<>();
        for (ChannelProvider p : Providers.all()) {
            names.add(p.name());
            for (ChannelSpec spec : specs(p)) {
                p.describe(spec).options().stream().filter(MechanismOption::userFacing).map(MechanismOption::name).forEach(names::add);
                p.describe(spec).nativeProgram().ifPresent(names::add);
            }
        }
        Pattern literal = Pattern.compile("\"([a-z][a-z0-9-]*)\"");
        List<String> found = new ArrayList<>();
        for (String reader : READERS) {
            Path dir = reader.contains("/") ? ROOT.resolve(reader) : ROOT.resolve(reader).resolve("src/main");
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    List<String> lines = Files.readAllLines(f);
                    for (int i = 0; i < lines.size(); i++) {
                        String line = lines.get(i).trim();
                        if (line.startsWith("*") || line.startsWith("/*") || line.startsWith("//")) continue; // comments and javadoc examples
                        Matcher m = literal.matcher(line);
                        while (m.find()) {
                            if (names.contains(m.group(1)) && !ELSEWHERE.containsKey(ROOT.relativize(f) + " \"" + m.group(1) + "\"")) {
                                found.add(ROOT.relativize(f) + ":" + (i + 1) + " \"" + m.group(1) + "\"");
                            }
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), found, "mechanism or option names outside the mechanism modules; read the description instead");
    }

    /** The module whose services file registers this provider. */
    private static Path moduleOf(ChannelProvider p) throws IOException {
        String cls = p.getClass().getName();
        try (Stream<Path> dirs = Files.list(ROOT)) {
            for (Path dir : dirs.filter(Files::isDirectory).collect(Collectors.toList())) {
                Path services = dir.resolve("src/main/resources/META-INF/services/org.ipclab.core.ChannelProvider");
                if (Files.exists(services) && Files.readAllLines(services).stream().map(String::trim).anyMatch(cls::equals)) return dir;
            }
        }
        throw new AssertionError(cls + " is registered in no module's META-INF/services under " + ROOT);
    }
}
