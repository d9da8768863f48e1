package org.ipclab.signal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;

import org.ipclab.core.Demo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class SignalDemoTest {
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void theQuickDemoShowsEveryClaim() throws Exception {
        Demo demo = ServiceLoader.load(Demo.class).stream().map(ServiceLoader.Provider::get)
                .filter(d -> d.name().equals("signal")).findFirst().orElseThrow();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = demo.run(List.of("--quick"), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        System.out.println(out);
        assertFalse(out.contains("[!!]"), out);
        assertEquals(0, code, out);
    }
}
