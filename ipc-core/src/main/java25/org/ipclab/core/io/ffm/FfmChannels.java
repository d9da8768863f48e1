package org.ipclab.core.io.ffm;

import org.ipclab.core.io.FdCalls;
import org.ipclab.core.io.FdChannels;
import org.ipclab.core.io.IoRoute;

/** The FFM route's entry point, loaded by {@link IoRoute} on JDK 22+ only: libc through {@code java.lang.foreign}. */
public final class FfmChannels extends FdChannels {
    public FfmChannels() {
        super(IoRoute.FFM);
    }

    @Override
    protected FdCalls newCalls() {
        return new FfmCalls();
    }
}
