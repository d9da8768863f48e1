package org.ipclab.signal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Map;

import org.ipclab.core.BadInputException;
import org.ipclab.core.ChannelSpec;
import org.ipclab.core.MechanismInfo;
import org.ipclab.core.MechanismOption;
import org.junit.jupiter.api.Test;

class SignalIoTest {
    private static final ChannelSpec RT = ChannelSpec.of("signal", Map.of("route", "rt"));

    @Test
    void ffmIsRefusedBelowJdk22WithOneLineNamingBothVersions() {
        int feature = Runtime.version().feature();
        assumeTrue(feature < 22, "this JDK (" + feature + ") runs io=ffm");
        BadInputException e = assertThrows(BadInputException.class, () -> new SignalProvider().open(RT.with("io", "ffm")));
        assertEquals("io=ffm needs JDK 22+, this is " + feature, e.getMessage());
        assertEquals(List.of(), new SignalProvider().describe(RT.with("io", "ffm")).peerJvmFlags());
        assertEquals(SignalIo.JNR, SignalIo.defaultRoute());
    }

    /** Fails when the jar's META-INF/versions/22 part is missing or does not link. */
    @Test
    void ffmRunsOnJdk22IsTheDefaultThereAndThePeerGetsNativeAccess() {
        int feature = Runtime.version().feature();
        assumeTrue(feature >= 22, "this JDK (" + feature + ") has no final java.lang.foreign");
        assertEquals(java.util.Optional.empty(), SignalIo.ffmUnavailable());
        assertEquals(SignalIo.FFM, SignalIo.of(RT.with("io", "ffm")));
        assertEquals(SignalIo.FFM_FLAGS, new SignalProvider().describe(RT.with("io", "ffm")).peerJvmFlags());
        assertEquals(SignalIo.FFM, SignalIo.defaultRoute());
        assertEquals(List.of(), new SignalProvider().describe(RT.with("io", "jnr")).peerJvmFlags());
    }

    @Test
    void anUnknownRouteIsRefusedNamingTheValueAndTheChoices() {
        BadInputException e = assertThrows(BadInputException.class, () -> SignalIo.of(RT.with("io", "nio")));
        assertEquals("option io=nio is not one of jnr, ffm", e.getMessage());
    }

    @Test
    void theDescriptionDeclaresTheOptionWithTheDefault() {
        MechanismInfo info = new SignalProvider().describe(RT);
        MechanismOption io = info.options().stream().filter(o -> o.name().equals("io")).findFirst().orElseThrow();
        assertEquals(List.of("jnr", "ffm"), io.allowed());
        assertEquals(SignalIo.defaultRoute().label(), io.defaultValue().orElseThrow());
        assertEquals(SignalIo.defaultRoute(), SignalIo.of(RT));
        assertTrue(io.help().contains("route=rt"), io.help());
    }
}
