package org.ipclab.core;

/** The other process closed its end or died. */
public class PeerGoneException extends IpcException {
    public PeerGoneException(String message) {
        super(message);
    }

    public PeerGoneException(String message, Throwable cause) {
        super(message, cause);
    }
}
