package org.ipclab.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.ipclab.core.Capability;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a contract test only for mechanisms that have every one of these capabilities (for the spec
 * under test); others show it as skipped, with the capability they lack — never silently removed.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(CapabilityCondition.class)
public @interface RequiresCapability {
    Capability[] value();
}
