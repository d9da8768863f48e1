package org.ipclab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Build step (run by Maven in the cli module's package phase, never by the installed tool): every
 * command's page from picocli-codegen's ManPageGenerator, kept as AsciiDoc (docs/cli/) and turned
 * into troff for man(1), plus the bash and zsh completion scripts.
 * <p>
 * Usage: {@code ManPages OUT_DIR [ADOC_DIR]}: OUT_DIR/man/man1/*.1, OUT_DIR/completion/ipc.{bash,zsh};
 * ADOC_DIR/*.adoc when given.
 */
public final class ManPages {
    private ManPages() {
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        Path adocDir = args.length > 1 ? Path.of(args[1]) : null;
        Path man1 = Files.createDirectories(out.resolve("man/man1"));
        CommandLine cl = Main.commandLine();
        cl.setDefaultValueProvider(null); // the pages show the built-in defaults, not the builder's own settings
        // The pages name the version only: a commit and build time would change the committed docs/cli/ on every build.
        cl.getCommandSpec().versionProvider(null).version("ipclab " + BuildInfo.version());
        for (Map.Entry<String, String> page : asciiDoc(cl).entrySet()) {
            Files.writeString(man1.resolve(page.getKey() + ".1"), AsciiDocToMan.convert(page.getValue(), BuildInfo.version()));
            if (adocDir != null) {
                Files.createDirectories(adocDir);
                Files.writeString(adocDir.resolve(page.getKey() + ".adoc"), page.getValue());
            }
        }
        Path completion = Files.createDirectories(out.resolve("completion"));
        for (String shell : Completion.SHELLS) Files.writeString(completion.resolve("ipc." + shell), Completion.script(shell));
    }

    /** Page name ("ipc", "ipc-bench", "ipc-lab-check") → AsciiDoc, for the command and all its subcommands. */
    static Map<String, String> asciiDoc(CommandLine root) {
        Map<String, String> pages = new LinkedHashMap<>();
        collect(root, pages);
        return pages;
    }

    private static void collect(CommandLine cl, Map<String, String> pages) {
        CommandSpec spec = cl.getCommandSpec();
        if (spec.usageMessage().hidden()) return;
        StringWriter text = new StringWriter();
        try (PrintWriter pw = new PrintWriter(text)) {
            ManPageGenerator.writeSingleManPage(pw, spec);
        }
        pages.put(spec.qualifiedName("-"), text.toString());
        cl.getSubcommands().values().stream().distinct().forEach(sub -> collect(sub, pages));
    }

    /** The subset of AsciiDoc that ManPageGenerator writes, as man(7) troff. */
    static final class AsciiDocToMan {
        private static final Pattern BOLD = Pattern.compile("\\*([^*\\n]+)\\*");
        private static final Pattern ITALIC = Pattern.compile("(?<![\\w\\\\])_([^_\\n]+)_(?!\\w)");
        private static final Pattern XREF = Pattern.compile("xref:([\\w.-]+)\\.adoc\\[([^\\]]*)\\]");

        private AsciiDocToMan() {
        }

        static String convert(String adoc, String version) {
            StringBuilder sb = new StringBuilder();
            boolean literal = false;
            boolean synopsis = false;
            boolean pendingParagraph = false;
            for (String raw : adoc.split("\n", -1)) {
                String line = raw.stripTrailing();
                if (line.equals("----") || line.equals("....")) {
                    sb.append(literal ? ".fi\n" : ".nf\n");
                    literal = !literal;
                    continue;
                }
                if (literal) {
                    sb.append(escape(line)).append('\n');
                    continue;
                }
                if (line.startsWith("//") || line.startsWith(":") || line.equals("[listing]") || line.startsWith("[%")) continue;
                Matcher title = Pattern.compile("^= ([\\w.-]+)\\((\\d)\\)$").matcher(line);
                if (title.matches()) {
                    sb.append(".TH \"").append(title.group(1).toUpperCase()).append("\" \"").append(title.group(2))
                            .append("\" \"\" \"ipclab ").append(escape(version)).append("\" \"ipclab Manual\"\n");
                    continue;
                }
                if (line.startsWith("== ")) {
                    String heading = line.substring(3).trim().toUpperCase();
                    synopsis = heading.equals("SYNOPSIS");
                    sb.append(".SH \"").append(heading).append("\"\n");
                    pendingParagraph = false;
                    if (synopsis) sb.append(".nf\n");
                    continue;
                }
                if (line.isEmpty()) {
                    if (synopsis) {
                        sb.append(".fi\n");
                        synopsis = false;
                    } else {
                        pendingParagraph = true;
                    }
                    continue;
                }
                if (line.endsWith("::")) {
                    sb.append(".TP\n").append(inline(line.substring(0, line.length() - 2))).append('\n');
                    pendingParagraph = false;
                    continue;
                }
                if (pendingParagraph && !raw.startsWith("  ")) sb.append(".PP\n");
                pendingParagraph = false;
                sb.append(inline(synopsis ? line : line.strip())).append('\n');
            }
            return sb.toString();
        }

        private static String inline(String s) {
            String t = XREF.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(2)));
            t = escape(t);
            t = BOLD.matcher(t).replaceAll(m -> Matcher.quoteReplacement("\\fB" + m.group(1) + "\\fR"));
            t = ITALIC.matcher(t).replaceAll(m -> Matcher.quoteReplacement("\\fI" + m.group(1) + "\\fR"));
            return t;
        }

        /** Backslashes and hyphens as troff wants them; a leading dot or quote would start a request. */
        private static String escape(String s) {
            String t = s.replace("\\", "\\e").replace("-", "\\-");
            if (t.startsWith(".") || t.startsWith("'")) t = "\\&" + t;
            return t;
        }
    }
}
