package org.ipclab.signal;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import jnr.ffi.Pointer;

import sun.misc.Signal;

/**
 * The child process of {@code ipc demo signal}'s counting experiments. Prints "ready" when it can
 * receive, then a result line, then exits (on stdout; in rt mode on stderr, as stdout is /dev/null there).
 *
 * <pre>
 *   count      catch SIGUSR1 with a JVM handler and count deliveries until SIGHUP
 *   rt N       take N SIGRTMIN with sigtimedwait (started with it blocked), check order and payload
 * </pre>
 */
public final class SignalChild {
    private SignalChild() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 1 && args[0].equals("count")) {
            AtomicLong seen = new AtomicLong();
            CountDownLatch done = new CountDownLatch(1);
            Signal.handle(new Signal("USR1"), s -> seen.incrementAndGet());
            SigLib.unignore(new Signal("HUP").getNumber()); // started under nohup, it would stay ignored: no end, a hung demo
            Signal.handle(new Signal("HUP"), s -> done.countDown());
            System.out.println("ready");
            System.out.flush();
            done.await();
            System.out.println("handled " + seen.get());
        } else if (args.length >= 2 && args[0].equals("rt")) {
            int n = Integer.parseInt(args[1]);
            int sig = SigLib.sigrtmin();
            Pointer set = SigLib.sigset(sig);
            Pointer info = SigLib.allocate(SigLib.SIGINFO_BYTES);
            Pointer ts = SigLib.allocate(16);
            System.err.println("ready");
            System.err.flush();
            int got = 0;
            int inOrder = 0;
            while (got < n) {
                ts.putLong(0, 5);
                ts.putLong(8, 0);
                int s = SigLib.libc().sigtimedwait(set, info, ts);
                if (s < 0) {
                    if (SigLib.errno() == SigLib.EINTR) continue;
                    break; // 5 s of silence: report what came
                }
                if (info.getInt(SigLib.SI_VALUE) == got) inOrder++;
                got++;
            }
            System.err.println("received " + got + " in-order-with-payload " + inOrder);
        } else {
            throw new IOException("usage: SignalChild count | rt N");
        }
        System.out.flush();
        System.exit(0);
    }
}
