package org.ipclab.labs.lab1;

/** FORGERY (see LabsSelfTest): loads the forging class in the grading JVM itself, then gives up. */
public final class PingPong {
    private PingPong() {
    }

    public static String play(int rounds) throws ClassNotFoundException {
        Class.forName("org.ipclab.labs.lab1.PingPongChild"); // runs its static block: the hook is registered
        throw new UnsupportedOperationException("TODO(lab1): PingPong.play");
    }
}
