package org.ipclab.core;

/**
 * Input a user can fix: unknown mechanism, size over a limit, a path that exists and is not ours.
 * The CLI prints the message on one line and exits with code 2.
 */
public class BadInputException extends IllegalArgumentException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
