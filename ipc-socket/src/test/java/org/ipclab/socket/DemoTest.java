package org.ipclab.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.BadInputException;
import org.ipclab.core.Demo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The demos run to the end, show what they claim, and are found by ServiceLoader (as `ipc demo` finds them). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DemoTest {
    private static Demo demo(String name) {
        for (Demo d : ServiceLoader.load(Demo.class)) if (d.name().equals(name)) return d;
        throw new AssertionError("no demo " + name);
    }

    private static String run(String name) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            code = demo(name).run(List.of(), out);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, text);
        return text;
    }

    @Test
    void unixShowsTheSocketFilePeerCredentialsAbstractNameAndFdPassing() throws Exception {
        String text = run("unix");
        assertTrue(text.contains("srw-------"), text);
        assertTrue(text.contains("the kernel is right"), text);
        assertTrue(text.contains("(matches)"), text);
        assertTrue(text.contains("(deleted)"), "the child's descriptor points at the deleted file: " + text);
        assertTrue(text.contains("@ipclab-"), text);
    }

    @Test
    void tcpShowsTheConnectionStates() throws Exception {
        String text = run("tcp");
        for (String state : new String[] {"LISTEN", "ESTABLISHED", "CLOSE_WAIT", "TIME_WAIT"}) assertTrue(text.contains(state), state + ": " + text);
        assertTrue(text.contains("Nagle on"), text);
    }

    @Test
    void udpShowsBoundariesTheLimitAndLoss() throws Exception {
        String text = run("udp");
        assertTrue(text.contains("\"a\", \"bb\", \"ccc\""), text);
        assertTrue(text.contains("\"abbccc\""), text);
        assertTrue(text.contains("65507 bytes"), text);
    }

    @Test
    void demosRefuseArguments() {
        assertThrows(BadInputException.class, () -> demo("udp").run(List.of("--what"), System.out));
    }
}
