package org.ipclab.core;

import java.time.Duration;

/**
 * A blocking call did not complete in time. A byte-stream channel is closed after a timeout,
 * because it may be in the middle of a frame; message channels stay usable.
 */
public class IpcTimeoutException extends IpcException {
    public IpcTimeoutException(String what, Duration timeout) {
        super(what + " timed out after " + Units.format(timeout));
    }
}
