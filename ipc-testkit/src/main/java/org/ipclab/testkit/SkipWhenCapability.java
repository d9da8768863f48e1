package org.ipclab.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.ipclab.core.Capability;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Skips a contract test, with the reason, for mechanisms that have any of these capabilities
 * (e.g. a sink run needs the control protocol, which a NOTIFICATION channel cannot carry).
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(CapabilityCondition.class)
public @interface SkipWhenCapability {
    Capability[] value();

    /** Why the test cannot apply to such a mechanism, for the skip message. */
    String because();
}
