package org.ipclab.signal;

/** Why the JVM keeps some signals to itself (HotSpot on Linux), for errors and the demo. */
final class SignalFacts {
    private SignalFacts() {
    }

    static String jvmUse(String name) {
        switch (name) {
            case "QUIT": return "SIGQUIT prints a thread dump (Ctrl-\\)";
            case "SEGV": return "SIGSEGV: HotSpot turns null dereferences and safepoint polls into exceptions";
            case "BUS": return "SIGBUS: faults on mapped files become InternalError";
            case "FPE": return "SIGFPE: integer division by zero becomes ArithmeticException";
            case "ILL": return "SIGILL: used by the JIT for traps";
            case "USR2": return "SIGUSR2: HotSpot's suspend/resume signal on Linux";
            case "ABRT": return "SIGABRT: abort() writes hs_err and a core";
            case "TRAP": return "SIGTRAP: debugger/JIT traps";
            default: return "used by the JVM or the OS";
        }
    }
}
