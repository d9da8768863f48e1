package org.ipclab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A client that ipclab did not write (Python, from docs/wire-format.md) talks to {@code ipc serve}. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ForeignClientTest {
    @Test
    void thePythonClientFromTheDocsTalksToIpcServe(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "python3 is not installed");
        String doc = Files.readString(Path.of("..", "docs", "wire-format.md"));
        Matcher code = Pattern.compile("```python\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        assertTrue(code.find(), "docs/wire-format.md has a python example");

        List<String> cmd = Ipc.command("serve", "-m", "tcp", "--port", "0", "--once");
        Process server = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            Matcher port = Pattern.compile("port=(\\d+)").matcher(out.readLine());
            assertTrue(port.find(), "serve prints its port");
            Path script = Files.writeString(dir.resolve("client.py"), code.group(1).replace("5000", port.group(1)));
            Process client = new ProcessBuilder("python3", script.toString()).redirectErrorStream(true).start();
            String printed = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(client.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, client.exitValue(), printed);
            assertEquals("b'hello from python'", printed.strip());
            assertTrue(server.waitFor(20, TimeUnit.SECONDS), "serve --once exits after the client's STOP");
        } finally {
            server.destroyForcibly();
        }
    }
}
