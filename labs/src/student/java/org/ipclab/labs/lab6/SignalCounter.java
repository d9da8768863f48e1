package org.ipclab.labs.lab6;

import java.util.concurrent.atomic.AtomicInteger;

import sun.misc.Signal;

/**
 * Lab 6, task 1: a process that reacts to signals. {@code ./ipc lab run 6 SignalCounter} prints its pid;
 * from another terminal: {@code kill -USR1 <pid>}, {@code kill -HUP <pid>}, {@code kill -TERM <pid>}.
 *
 * <p>{@code sun.misc.Signal.handle(new Signal("USR1"), handler)} replaces what the signal does (its
 * default action for USR1 is to terminate the process). The JVM runs each handler call in a new thread.
 */
public final class SignalCounter {
    private SignalCounter() {
    }

    public static void main(String[] args) throws InterruptedException {
        AtomicInteger usr1 = new AtomicInteger();
        AtomicInteger hup = new AtomicInteger();
        // TODO(lab6) task 1: handlers for
        //   USR1: say("got USR1 " + usr1.incrementAndGet())
        //   HUP:  say("got HUP " + hup.incrementAndGet())
        //   TERM: say("bye usr1=" + usr1.get() + " hup=" + hup.get()), then System.exit(0) — a graceful shutdown
        //   (without a handler, TERM kills the process: exit code 143 = 128 + 15).
        // Then say("ready pid " + ProcessHandle.current().pid()) and sleep forever: the work happens in the handlers.
        throw new UnsupportedOperationException("TODO(lab6): SignalCounter.main");
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
