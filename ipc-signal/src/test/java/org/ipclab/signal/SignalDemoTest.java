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
    @Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a child that never answers fails the test, not the suite
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

    /**
     * A parent's nohup (a CI script, a batch job) starts every child with SIGHUP ignored, and HotSpot
     * then installs no handler for it: the counting child never learnt the demo was over, and the demo
     * waited for its answer for ever. Started so, it must still end on SIGHUP.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void theCountingChildEndsOnSighupEvenWhenStartedWithItIgnored() throws Exception {
        java.nio.file.Path nohup = java.nio.file.Path.of("/usr/bin/nohup");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(nohup), "no nohup here");
        List<String> cmd = new java.util.ArrayList<>(List.of(nohup.toString(),
                java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (Runtime.version().feature() >= 24) cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), SignalChild.class.getName(), "count"));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("ready", out.readLine());
            int hup = 1; // SigIgn's lowest bit is signal 1: the disposition nohup gave
            String status = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(p.pid()), "status"));
            String ignored = status.lines().filter(l -> l.startsWith("SigIgn:")).findFirst().orElseThrow().substring(7).trim();
            assertEquals(0, Long.parseLong(ignored, 16) & hup, "SIGHUP no longer ignored once the child can receive: " + ignored);
            signal("USR1", p);
            Thread.sleep(200);
            signal("HUP", p);
            String result = out.readLine();
            assertEquals("handled 1", result);
            assertEquals(0, p.waitFor());
        } finally {
            p.destroyForcibly();
        }
    }

    private static void signal(String name, Process p) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).inheritIO().start().waitFor(), "kill -" + name);
    }
}
