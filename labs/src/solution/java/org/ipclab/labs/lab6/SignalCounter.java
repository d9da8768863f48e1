package org.ipclab.labs.lab6;

import java.util.concurrent.atomic.AtomicInteger;

import sun.misc.Signal;

/** Lab 6 reference solution, task 1. */
public final class SignalCounter {
    private SignalCounter() {
    }

    public static void main(String[] args) throws InterruptedException {
        AtomicInteger usr1 = new AtomicInteger();
        AtomicInteger hup = new AtomicInteger();
        Signal.handle(new Signal("USR1"), s -> say("got USR1 " + usr1.incrementAndGet()));
        Signal.handle(new Signal("HUP"), s -> say("got HUP " + hup.incrementAndGet()));
        Signal.handle(new Signal("TERM"), s -> {
            say("bye usr1=" + usr1.get() + " hup=" + hup.get());
            System.exit(0);
        });
        say("ready pid " + ProcessHandle.current().pid());
        while (true) Thread.sleep(60_000); // all the work happens in the handlers
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
