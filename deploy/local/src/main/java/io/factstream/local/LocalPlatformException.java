package io.factstream.local;

/** Something the local platform could not do; the message gives the cause in one line. */
public final class LocalPlatformException extends Exception {

    public LocalPlatformException(String message) {
        super(message);
    }

    public LocalPlatformException(String message, Throwable cause) {
        super(message, cause);
    }
}
