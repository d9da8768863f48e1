package org.ipclab.mqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.ServiceLoader;

import org.ipclab.core.Demo;
import org.junit.jupiter.api.Test;

class MqueueDemoTest {
    @Test
    void theDemoShowsEveryClaimAndLeavesNothingBehind() throws Exception {
        Demo demo = ServiceLoader.load(Demo.class).stream().map(ServiceLoader.Provider::get)
                .filter(d -> d.name().equals("mqueue")).findFirst().orElseThrow();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = demo.run(List.of(), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        System.out.println(out);
        assertEquals(0, code, out);
        assertFalse(out.contains("[!!]"), out);
        assertTrue(out.contains("ETIMEDOUT") && out.contains("EMSGSIZE") && out.contains("ENOENT"), out);
        assertTrue(Registry.names().stream().noneMatch(n -> n.contains("-demo-") || n.contains("-mq-orphan-")), "demo queues removed");
    }
}
