package io.factstream.gateway.commands;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.catalog.wire.UndecodableRecordException;
import io.factstream.kafka.read.CommittedReader;
import io.factstream.kafka.read.Position;

/**
 * Finds a command's outcome in the aggregate's own logs, for when the follower has not seen it (the command is
 * older than the follower's memory, or its outcome came before this instance started): the aggregate's events with
 * the command as their cause, else its rejection. It reads the one partition of each topic the aggregate lives in.
 */
public final class OutcomeLookup {

    private final CommittedReader reader;
    private final SingleObjectCodec<EventEnvelope> events = SingleObjectCodec.forType(EventEnvelope.class);
    private final SingleObjectCodec<CommandRejected> rejections = SingleObjectCodec.forType(CommandRejected.class);

    public OutcomeLookup(String bootstrapServers) {
        this.reader = new CommittedReader(bootstrapServers, Duration.ofSeconds(30));
    }

    /** The outcome of the command for this aggregate, if it has one yet. */
    public Optional<Outcome> find(BoundedContext context, String aggregateId, String commandId)
            throws UndecodableRecordException {
        List<EventEnvelope> caused = new ArrayList<>();
        ConsumerRecord<byte[], byte[]> last = null;
        for (ConsumerRecord<byte[], byte[]> record : reader.readKey(context.eventsTopic(), aggregateId)) {
            EventEnvelope event = events.decode(record.value());
            if (commandId.equals(event.getCausationId())) {
                caused.add(event);
                last = record;
            }
        }
        if (last != null) {
            return Optional.of(new Outcome.Accepted(context, caused,
                    Position.of(Map.of(new TopicPartition(last.topic(), last.partition()), last.offset() + 1))));
        }
        for (ConsumerRecord<byte[], byte[]> record : reader.readKey(context.rejectionsTopic(), aggregateId)) {
            CommandRejected rejection = rejections.decode(record.value());
            if (commandId.equals(rejection.getCommandId())) {
                return Optional.of(new Outcome.Rejected(context, rejection));
            }
        }
        return Optional.empty();
    }
}
