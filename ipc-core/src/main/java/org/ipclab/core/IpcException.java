package org.ipclab.core;

import java.io.IOException;

/** A failure of the channel or its peer at run time. The message is one line meant for a person. */
public class IpcException extends IOException {
    public IpcException(String message) {
        super(message);
    }

    public IpcException(String message, Throwable cause) {
        super(message, cause);
    }
}
