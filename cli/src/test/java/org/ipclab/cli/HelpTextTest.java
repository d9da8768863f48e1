package org.ipclab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/** Every command's --help, as a new user first reads it: rendered whole, with no picocli warning. */
class HelpTextTest {
    @Test
    void everyCommandsHelpRendersWithoutAFormatWarning() {
        List<CommandLine> all = new ArrayList<>();
        collect(Main.commandLine(), all);
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        List<String> broken = new ArrayList<>();
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            for (CommandLine cl : all) {
                captured.reset();
                String usage = cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
                String warned = captured.toString(StandardCharsets.UTF_8);
                // a footer or description with a bare '%' makes picocli warn and print the raw text
                if (warned.contains("picocli WARN") || usage.contains("%n")) {
                    broken.add(cl.getCommandSpec().qualifiedName() + ": " + warned.strip());
                }
            }
        } finally {
            System.setErr(err);
        }
        assertFalse(all.size() < 10, "the command tree was not walked: " + all.size());
        assertEquals(List.of(), broken);
    }

    private static void collect(CommandLine cl, List<CommandLine> into) {
        into.add(cl);
        cl.getSubcommands().values().forEach(sub -> collect(sub, into));
    }
}
