package io.factstream.gateway.live;

/**
 * One Server-Sent Event as a subscriber receives it, made once and sent to every subscriber it concerns.
 *
 * @param event the event name ({@code row}, {@code event}), or null for a comment (a heartbeat)
 * @param data  the JSON
 * @param id    where the subscriber is after it: a row version, a stream's sequence number, or a view's position
 */
record LiveMessage(String event, String data, String id) {

    static final LiveMessage HEARTBEAT = new LiveMessage(null, "heartbeat", null);

    boolean isHeartbeat() {
        return event == null;
    }
}
