package org.ipclab.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.ipclab.core.BadInputException;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.MechanismOption;
import org.junit.jupiter.api.Test;

class IoRouteTest {
    private static final ChannelSpec PIPE = ChannelSpec.of("pipe");

    @Test
    void ffmIsRefusedBelowJdk22WithOneLineNamingBothVersions() {
        int feature = Runtime.version().feature();
        assumeTrue(feature < 22, "this JDK (" + feature + ") runs io=ffm");
        BadInputException e = assertThrows(BadInputException.class, () -> IoRoute.of(PIPE.with("io", "ffm")));
        assertEquals("io=ffm needs JDK 22+, this is " + feature, e.getMessage());
        // The test JVM opens sun.nio.ch (the parent pom): the raw route of this JDK is the default, and its peer gets the flag.
        assertTrue(IoRoute.descriptorsOpen());
        assertEquals(IoRoute.JNR, IoRoute.defaultRoute());
        assertEquals(java.util.List.of(IoRoute.ADD_OPENS), IoRoute.jvmFlags(PIPE));
        assertEquals(java.util.List.of(), IoRoute.jvmFlags(PIPE.with("io", "nio")));
    }

    /** A JVM started without the add-opens keeps NIO by default, and says why when asked for a raw route. */
    @Test
    void withoutTheAddOpensTheDefaultIsNioAndARawRouteSaysWhatIsMissing() throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
                java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), DefaultRoute.class.getName()));
        if (Runtime.version().feature() >= 24) cmd.addAll(1, java.util.List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor(), out);
        assertEquals("nio", out.lines().findFirst().orElse(""), out);
        assertTrue(out.contains("needs the JVM flag " + IoRoute.ADD_OPENS), out);
    }

    /** Run in a JVM of its own, without the add-opens: prints the default route and why JNR cannot run. */
    static final class DefaultRoute {
        public static void main(String[] args) {
            System.out.println(IoRoute.defaultRoute().label());
            System.out.println(IoRoute.JNR.unavailable().orElse("jnr available"));
        }
    }

    @Test
    void anUnknownRouteIsRefusedNamingTheValueAndTheChoices() {
        BadInputException e = assertThrows(BadInputException.class, () -> IoRoute.of(PIPE.with("io", "jni")));
        assertEquals("option io=jni is not one of nio, ffm, jnr", e.getMessage());
        assertThrows(BadInputException.class, () -> IoRoute.option().check("jni"));
    }

    @Test
    void nioIsAlwaysThereAndTheOptionIsATypedChoiceWithTheDefaultOfThisJvm() {
        assertEquals(IoRoute.NIO, IoRoute.of(PIPE.with("io", "nio")));
        MechanismOption option = IoRoute.option();
        assertEquals(MechanismOption.Type.CHOICE, option.type());
        assertEquals(java.util.List.of("nio", "ffm", "jnr"), option.allowed());
        assertEquals(IoRoute.defaultRoute().label(), option.defaultValue().orElseThrow());
        assertEquals(IoRoute.defaultRoute(), IoRoute.of(PIPE));
        assertTrue(IoRoute.ffmUnavailable().isPresent() || IoRoute.defaultRoute() == IoRoute.FFM);
    }

    /** The test JVM has the add-opens (see the parent pom), as java -jar ipc.jar has through its manifest. */
    @Test
    void jnrRunsOnEveryJdkAndItsPeerGetsTheFlagToReadTheDescriptor() {
        assertEquals(java.util.Optional.empty(), IoRoute.JNR.unavailable());
        assertEquals(IoRoute.JNR, IoRoute.of(PIPE.with("io", "jnr")));
        assertEquals(IoRoute.JNR, IoRoute.of(PIPE.with("io", " JNR ")));
        IoRoute.option().check("jnr");
        java.util.List<String> flags = IoRoute.jvmFlags(PIPE.with("io", "jnr"));
        assertTrue(flags.contains(IoRoute.ADD_OPENS), flags.toString());
        assertEquals(Runtime.version().feature() >= 22 ? IoRoute.FFM_FLAGS : java.util.List.of(IoRoute.ADD_OPENS), flags);
    }
}
