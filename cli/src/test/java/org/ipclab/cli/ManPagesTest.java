package org.ipclab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManPagesTest {
    @Test
    void aPageForEveryCommandThatManRenders(@TempDir Path out) throws Exception {
        ManPages.main(new String[] {out.toString()});
        Map<String, String> pages = ManPages.asciiDoc(Main.commandLine());
        for (String name : new String[] {"ipc", "ipc-bench", "ipc-report", "ipc-doctor", "ipc-completion", "ipc-lab-check"}) {
            assertTrue(pages.containsKey(name), name + " in " + pages.keySet());
            assertTrue(Files.isRegularFile(out.resolve("man/man1/" + name + ".1")), name);
        }
        String troff = Files.readString(out.resolve("man/man1/ipc-bench.1"));
        assertTrue(troff.startsWith(".TH \"IPC-BENCH\" \"1\""), troff);
        assertTrue(troff.contains("\\fB\\-m\\fR, \\fB\\-\\-mechanism\\fR"), troff);
        assertTrue(Files.readString(out.resolve("completion/ipc.bash")).contains("pipe"), "mechanisms in the completion");

        Path man = Path.of("/usr/bin/man");
        assumeTrue(Files.isExecutable(man), "man is not installed");
        Process p = new ProcessBuilder(man.toString(), "-l", out.resolve("man/man1/ipc-bench.1").toString())
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), text);
        assertTrue(text.contains("OPTIONS") && text.contains("--mechanism=NAME") && text.contains("--fail-if-slower") == false, text);
    }

    @Test
    void versionNamesTheBuildTheJdkAndEachLibraryFromItsOwnMetadata() throws Exception {
        CliTest.Run r = Ipc.run(Map.of(), "--version");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("commit ") && r.out().contains("built "), r.out());
        assertTrue(r.out().contains("JDK: " + System.getProperty("java.vm.name")), r.out());
        // the versions of the jars on the class path, not ipclab's own
        assertTrue(r.out().contains("Chronicle Queue: " + BuildInfo.mavenVersion("net.openhft", "chronicle-queue")), r.out());
        assertTrue(!r.out().contains("Chronicle Queue: 0.1.0") && !r.out().contains("absent"), r.out());
        for (String lib : new String[] {"HdrHistogram:", "junixsocket:", "jnr-posix:", "jnr-ffi:", "picocli:"}) assertTrue(r.out().contains(lib), lib);
    }
}
