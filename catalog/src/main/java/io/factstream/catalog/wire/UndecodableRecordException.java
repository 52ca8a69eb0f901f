package io.factstream.catalog.wire;

/** Bytes that are not a readable version of the expected catalog record; the message says why in one line. */
public final class UndecodableRecordException extends Exception {

    private final String errorType;

    UndecodableRecordException(String message, String errorType, Throwable cause) {
        super(message, cause);
        this.errorType = errorType;
    }

    /** The class name of the underlying error, or a short code when there was none (e.g. {@code NO_VALUE}). */
    public String errorType() {
        return errorType;
    }
}
