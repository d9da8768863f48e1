package org.ipclab.core.io.jnr;

import org.ipclab.core.io.FdCalls;
import org.ipclab.core.io.FdChannels;
import org.ipclab.core.io.IoRoute;

/** The JNR route's entry point: the FFM route's raw calls through jnr-ffi, in plain Java 17 (so on any JDK). */
public final class JnrChannels extends FdChannels {
    public JnrChannels() {
        super(IoRoute.JNR);
    }

    /** One binding for all: errno lives in the calling thread, not in the instance. */
    @Override
    protected FdCalls newCalls() {
        return Libc.CALLS;
    }

    private static final class Libc {
        static final JnrCalls CALLS = JnrCalls.load();
    }
}
