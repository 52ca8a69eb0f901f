package io.factstream.kafka.topics;

/** A topic operation that the cluster refused or did not answer; the message says which and why in one line. */
public final class TopicAdminException extends Exception {

    TopicAdminException(String message, Throwable cause) {
        super(message, cause);
    }
}
