package org.ipclab.labs.lab10;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.ipclab.labs.support.SigQueue;

/** Lab 10 mutant: takes each signal once, as if signals were flags, tasks 1 and 2. */
public final class Receiver {
    private Receiver() {
    }

    public static int[] signals() {
        int rt = SigQueue.rtmin();
        return new int[] {10, 14, rt, rt + 1, rt + 2, rt + 3, rt + 4};
    }

    public static void main(String[] args) throws Exception {
        int[] set = signals();
        int rc = SigQueue.block(set); // before saying ready: a signal that comes unblocked would end this JVM
        if (rc != 0) throw new IllegalStateException("pthread_sigmask failed: errno " + -rc);
        System.out.println("ready pid " + ProcessHandle.current().pid() + " tid " + SigQueue.tid());
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        for (int signo : set) { // Wrong: a signal is not a flag; queued real-time signals come once per send
            SigQueue.Info i = SigQueue.take(Duration.ZERO, signo);
            if (i != null) System.out.println("got " + i.signo() + " " + i.value());
        }
        System.out.println("end");
    }
}
