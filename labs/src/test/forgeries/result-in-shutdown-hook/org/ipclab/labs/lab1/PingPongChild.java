package org.ipclab.labs.lab1;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;

/**
 * FORGERY (see LabsSelfTest): does none of the work; when the grading JVM loads this class it registers a
 * shutdown hook that prints a full-marks RESULT line, on System.out and straight onto file descriptor 1.
 */
public final class PingPongChild {
    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            String line = "RESULT lab=1 score=10 max=10 tasks=1:2/2,2:3/3,3:3/3,4:2/2";
            System.out.println(line);
            PrintStream fd1 = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
            fd1.println(line);
            fd1.flush();
        }));
    }

    public static void main(String[] args) {
        throw new UnsupportedOperationException("TODO(lab1): PingPongChild.main");
    }
}
