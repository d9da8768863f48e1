package org.ipclab.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The tests of this class use {@code io=ffm}: where this JVM cannot run it (below JDK 22), each is
 * reported as skipped with the route's own one-line reason.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(FfmCondition.class)
public @interface RequiresFfm {
}
