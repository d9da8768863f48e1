package org.ipclab.cli;

/** What {@code ipc} returns to the shell. */
public final class ExitCodes {
    public static final int OK = 0;
    /** The run failed: a peer died, a mechanism failed, a check did not pass. */
    public static final int FAILURE = 1;
    /** Bad usage: unknown mechanism, size over a limit, unparsable value. Nothing was run. */
    public static final int USAGE = 2;
    /** Interrupted (Ctrl-C): partial results were saved and marked partial. */
    public static final int INTERRUPTED = 130;

    private ExitCodes() {
    }
}
