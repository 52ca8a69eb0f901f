package io.factstream.gateway.live;

import org.apache.kafka.common.TopicPartition;

import io.factstream.catalog.wire.AvroJson;
import io.factstream.kafka.read.Position;
import io.factstream.views.ViewRow;

/**
 * A new version of a view row, as read from the view's history topic.
 *
 * @param row       the version
 * @param partition where it was read
 * @param offset    at which offset
 * @param after     the history topic's position just after it, as a view's subscriber resumes from it
 */
record ViewChange(ViewRow row, TopicPartition partition, long offset, Position after) {

    /** The message for a subscriber of the row: its id is the row's version. */
    LiveMessage rowMessage() {
        return new LiveMessage("row", AvroJson.of(row), Long.toString(row.getVersion()));
    }

    /** The message for a subscriber of the whole view: its id is the position after it. */
    LiveMessage viewMessage() {
        return new LiveMessage("row", AvroJson.of(row), after.toString());
    }
}
