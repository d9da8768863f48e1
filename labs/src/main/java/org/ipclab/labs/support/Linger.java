package org.ipclab.labs.support;

import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;

/**
 * Given, used by checks: {@code Linger MS MAIN ARGS...} runs {@code MAIN} and, when the JVM is about to
 * end, waits {@code MS} more. A check sets {@code ipclab.labs.childLingerMs} so that every child started
 * with {@link org.ipclab.labs.Jvm#command} ends a little late: code that returns without waiting for its
 * child ({@code waitFor}) then leaves a live process behind every time, not only when it is unlucky.
 */
public final class Linger {
    private Linger() {
    }

    public static void main(String[] args) throws Throwable {
        long ms = Long.parseLong(args[0]);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "linger"));
        try {
            Class.forName(args[1]).getMethod("main", String[].class).invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
