package org.ipclab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.ipclab.core.Capability;
import org.ipclab.core.ChannelProvider;
import org.ipclab.core.Providers;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code ipc serve -m M} as a user runs it, for every mechanism it accepts (every provider that is
 * not RELATED_PROCESSES_ONLY, read from the providers): three {@code ipc connect} clients in a row,
 * each a separate process that gets its echo and says STOP, using the connect command the server
 * prints; then Ctrl-C (SIGTERM) removes what the server created.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ServeClientsInARowTest {

    static Stream<String> servableMechanisms() {
        return Providers.all().stream().filter(p -> !p.describe().has(Capability.RELATED_PROCESSES_ONLY)).map(ChannelProvider::name);
    }

    /** {@link Ipc#java}, plus the mechanism's own JVM flags (Chronicle's), then Main. */
    private static List<String> java(ChannelProvider provider) {
        List<String> cmd = Ipc.java(Main.class.getName());
        int main = cmd.indexOf("-cp");
        for (String flag : provider.describe().peerJvmFlags()) if (!cmd.contains(flag)) cmd.add(main++, flag);
        return cmd;
    }

    @ParameterizedTest
    @MethodSource("servableMechanisms")
    void serveAnswersThreeClientsInARowEachWithEchoAndStop(String mechanism) throws Exception {
        ChannelProvider provider = Providers.get(mechanism);
        List<String> serve = java(provider);
        serve.addAll(List.of("serve", "-m", mechanism));
        Path log = Files.createTempFile("ipclab-serve-test", ".stderr");
        Process server = new ProcessBuilder(serve).redirectError(log.toFile()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String ready = out.readLine();
            String hint = out.readLine();
            // This JVM may lack what the serve process gets (Chronicle's flags): skip only when serve agrees it cannot run.
            if (hint == null && !provider.describe().available()) {
                assumeTrue(false, mechanism + " cannot run here: " + Files.readString(log).strip());
            }
            assertNotNull(hint, "serve printed no connect command; stderr: " + Files.readString(log));
            assertTrue(ready.startsWith("ipc serve: " + mechanism + " ready"), ready);
            String prefix = "connect with: ipc connect ";
            int at = hint.indexOf(prefix);
            assertTrue(at >= 0 && hint.endsWith(" hello"), "not a connect command: " + hint);
            List<String> connectArgs = new ArrayList<>(Arrays.asList(hint.substring(at + prefix.length(), hint.length() - " hello".length()).trim().split(" +")));

            for (int i = 1; i <= 3; i++) {
                List<String> client = java(provider);
                client.add("connect");
                client.addAll(connectArgs);
                client.add("client " + i + " says hello");
                Process c = new ProcessBuilder(client).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
                String echoed = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                String said = new String(c.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(c.waitFor(60, TimeUnit.SECONDS), "client " + i + " did not finish");
                assertEquals(0, c.exitValue(), "client " + i + " of " + mechanism + ": " + said + "; server: " + Files.readString(log));
                assertEquals(List.of("client " + i + " says hello"), echoed.lines().toList(), "client " + i + "'s echo");
                assertTrue(server.isAlive(), "serve exited after client " + i + ": " + Files.readString(log));
            }
            String served = Files.readString(log);
            for (int i = 1; i <= 3; i++) assertTrue(served.matches("(?s).*client " + i + "( \\([^\n]*\\))? left.*"), "client " + i + " did not leave cleanly: " + served);
            assertFalse(served.contains("dropped") || served.contains("refused"), "a client ended in an error: " + served);
        } finally {
            server.destroy(); // SIGTERM, as Ctrl-C: the server removes what it created
            if (!server.waitFor(20, TimeUnit.SECONDS)) server.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }
}
