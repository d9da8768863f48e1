package org.ipclab.core;

/** A message over the channel's maximum; nothing was sent and the channel stays usable. */
public class MessageTooLargeException extends BadInputException {
    private final long size;
    private final long limit;

    public MessageTooLargeException(String mechanism, long size, long limit) {
        super("message of " + size + " bytes is over the " + mechanism + " limit of " + limit + " bytes");
        this.size = size;
        this.limit = limit;
    }

    public long size() {
        return size;
    }

    public long limit() {
        return limit;
    }
}
