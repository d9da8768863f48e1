package org.ipclab.core;

/** The peer sent bytes that break the wire format (e.g. a length over the limit); the channel is closed. */
public class ProtocolException extends IpcException {
    public ProtocolException(String message) {
        super(message);
    }
}
