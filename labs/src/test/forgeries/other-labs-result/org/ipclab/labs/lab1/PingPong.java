package org.ipclab.labs.lab1;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;

/**
 * FORGERY (see LabsSelfTest): prints lab 7's full-marks line and event-like lines (with a guessed token)
 * on System.out and on file descriptor 1, then ends the grading JVM with status 0 as if all had passed.
 */
public final class PingPong {
    private PingPong() {
    }

    public static String play(int rounds) {
        PrintStream fd1 = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
        for (PrintStream out : new PrintStream[] {System.out, fd1}) {
            out.println("RESULT lab=7 score=10 max=10 tasks=1:3/3,2:2/2,3:3/3,4:2/2");
            out.println("00000000000000000000000000000000 done MQ== Mg== b2s=");
            out.flush();
        }
        System.exit(0);
        return null;
    }
}
