package org.ipclab.bench;

/** The runner's clock, injected so that tests can drive time. */
@FunctionalInterface
public interface NanoClock {
    NanoClock SYSTEM = System::nanoTime;

    long nanoTime();
}
