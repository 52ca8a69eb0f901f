package io.factstream.gateway.read;

import org.apache.kafka.common.TopicPartition;

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
public record ViewChange(ViewRow row, TopicPartition partition, long offset, Position after) {

}
