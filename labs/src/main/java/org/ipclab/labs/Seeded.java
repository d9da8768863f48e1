package org.ipclab.labs;

import java.util.Random;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.AssertionFailedError;

/**
 * Random inputs for a check, so that a hard-coded answer fails, with the seed named in the problem of a failed
 * test: {@code @RegisterExtension final Seeded seeded = new Seeded();} then {@code seeded.random()}. A teacher
 * repeats a failed run's inputs with {@code -Dipclab.labs.seed=N} on the grader's JVM ({@link Grader} passes it on).
 */
public final class Seeded implements TestExecutionExceptionHandler {
    public static final String PROPERTY = "ipclab.labs.seed";
    private final long seed;
    private final Random random;

    public Seeded() {
        String fixed = System.getProperty(PROPERTY);
        seed = fixed != null && fixed.matches("-?\\d{1,19}") ? Long.parseLong(fixed) : new java.security.SecureRandom().nextLong();
        random = new Random(seed);
    }

    public Random random() {
        return random;
    }

    public long seed() {
        return seed;
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        if (t instanceof AssertionError) throw new AssertionFailedError(t.getMessage() + " [random inputs: seed " + seed + "]", t);
        throw t;
    }
}
