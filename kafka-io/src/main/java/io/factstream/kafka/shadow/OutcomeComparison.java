package io.factstream.kafka.shadow;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.catalog.wire.UndecodableRecordException;
import io.factstream.kafka.read.CommittedReader;

/**
 * What two runs of an aggregate job decided for the same commands, compared aggregate by aggregate: the live job's
 * outcomes and a shadow's (a new version run over the same commands into another Kafka cluster). Each aggregate's
 * outcomes (its events and rejections) are put in the order of the commands that caused them, events by sequence
 * number; the aggregate diverges at the first outcome the two runs do not share byte for byte. Name-based event
 * ids and timestamps from the commands make a run's records reproducible, so any difference is a different
 * decision.
 */
public final class OutcomeComparison {

    /**
     * The first outcome two runs do not share for one aggregate.
     *
     * @param aggregateId the aggregate
     * @param commandId   the command that caused it
     * @param live        what the live job wrote for it, or {@code nothing}
     * @param shadow      what the shadow wrote for it, or {@code nothing}
     */
    public record Divergence(String aggregateId, String commandId, String live, String shadow) {

        @Override
        public String toString() {
            return aggregateId + ": command " + commandId + ": live " + live + ", shadow " + shadow;
        }
    }

    /**
     * The comparison of one context's outcomes.
     *
     * @param commands         the commands both runs had to decide
     * @param aggregates       the aggregates they concern
     * @param liveUnanswered   how many of the commands have no outcome in the live cluster (yet)
     * @param shadowUnanswered how many have none in the shadow's
     * @param divergences      one per aggregate the runs decided differently, by aggregate id
     */
    public record Report(BoundedContext context, int commands, int aggregates, int liveUnanswered,
                         int shadowUnanswered, List<Divergence> divergences) {

        /** A line for the comparison, then a line per divergent aggregate. */
        public List<String> lines() {
            List<String> lines = new ArrayList<>();
            lines.add(String.format("%s: %d commands of %d aggregates compared (unanswered: %d live, %d in the "
                            + "shadow), %d aggregates decided differently", context.id(), commands, aggregates,
                    liveUnanswered, shadowUnanswered, divergences.size()));
            divergences.forEach(divergence -> lines.add("  " + divergence));
            return lines;
        }
    }

    /** One outcome: the command that caused it and where that came, and the record. */
    private record Outcome(String commandId, long commandOffset, long sequence, byte[] value, String description) {

        boolean same(Outcome other) {
            return other != null && Arrays.equals(value, other.value);
        }
    }

    private static final Comparator<Outcome> IN_COMMAND_ORDER = Comparator.comparingLong(Outcome::commandOffset)
            .thenComparingLong(Outcome::sequence);

    private static final SingleObjectCodec<CommandEnvelope> COMMANDS = SingleObjectCodec.forType(CommandEnvelope.class);
    private static final SingleObjectCodec<EventEnvelope> EVENTS = SingleObjectCodec.forType(EventEnvelope.class);
    private static final SingleObjectCodec<CommandRejected> REJECTIONS =
            SingleObjectCodec.forType(CommandRejected.class);

    private OutcomeComparison() {
    }

    /**
     * Compares the outcomes of the context's commands up to {@code commandEnds} (each partition's end, exclusive),
     * as the live cluster and the shadow's hold them.
     */
    public static Report compare(BoundedContext context, Map<TopicPartition, Long> commandEnds,
                                 CommittedReader live, CommittedReader shadow) {
        Map<String, Long> commands = new HashMap<>(); // command id -> its offset
        Set<String> aggregates = new HashSet<>();
        live.readUntil(commandEnds, record -> {
            try {
                CommandEnvelope command = COMMANDS.decode(record.value());
                commands.putIfAbsent(command.getCommandId(), record.offset());
                aggregates.add(command.getSubjectId());
            } catch (UndecodableRecordException e) {
                // a dead letter for both runs alike: no decision to compare
            }
        });
        Map<String, List<Outcome>> before = outcomes(context, commands, live);
        Map<String, List<Outcome>> after = outcomes(context, commands, shadow);
        TreeMap<String, Divergence> divergences = new TreeMap<>();
        for (String aggregate : union(before, after)) {
            List<Outcome> a = before.getOrDefault(aggregate, List.of());
            List<Outcome> b = after.getOrDefault(aggregate, List.of());
            for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
                Outcome x = i < a.size() ? a.get(i) : null;
                Outcome y = i < b.size() ? b.get(i) : null;
                if (x == null || !x.same(y)) {
                    Outcome first = x == null || (y != null && IN_COMMAND_ORDER.compare(y, x) < 0) ? y : x;
                    divergences.put(aggregate, new Divergence(aggregate, first.commandId(),
                            x != null ? x.description() : "nothing", y != null ? y.description() : "nothing"));
                    break;
                }
            }
        }
        return new Report(context, commands.size(), aggregates.size(), unanswered(commands, before),
                unanswered(commands, after), List.copyOf(divergences.values()));
    }

    /** Each aggregate's outcomes of these commands in one cluster, in command order. */
    private static Map<String, List<Outcome>> outcomes(BoundedContext context, Map<String, Long> commands,
                                                       CommittedReader reader) {
        Map<String, List<Outcome>> outcomes = new HashMap<>();
        reader.readAll(List.of(context.eventsTopic(), context.rejectionsTopic()), record -> {
            Outcome outcome = outcome(context, record, commands);
            if (outcome != null) {
                outcomes.computeIfAbsent(new String(record.key(), UTF_8), key -> new ArrayList<>()).add(outcome);
            }
        });
        outcomes.values().forEach(list -> list.sort(IN_COMMAND_ORDER));
        return outcomes;
    }

    /** The record as an outcome of one of the commands, or null when another command caused it. */
    private static Outcome outcome(BoundedContext context, ConsumerRecord<byte[], byte[]> record,
                                   Map<String, Long> commands) {
        try {
            if (record.topic().equals(context.eventsTopic())) {
                EventEnvelope event = EVENTS.decode(record.value());
                Long offset = commands.get(event.getCausationId());
                return offset == null ? null : new Outcome(event.getCausationId(), offset, event.getSequenceNumber(),
                        record.value(),
                        event.getEventType() + " #" + event.getSequenceNumber());
            }
            CommandRejected rejection = REJECTIONS.decode(record.value());
            Long offset = commands.get(rejection.getCommandId());
            return offset == null ? null : new Outcome(rejection.getCommandId(), offset, -1, record.value(),
                    "rejection " + rejection.getReason() + " (" + rejection.getMessage() + ")");
        } catch (UndecodableRecordException e) {
            throw new IllegalStateException(record.topic() + " holds an undecodable record at " + record.partition()
                    + ":" + record.offset() + ": " + e.getMessage(), e);
        }
    }

    /** How many of the commands caused none of the outcomes. */
    private static int unanswered(Map<String, Long> commands, Map<String, List<Outcome>> outcomes) {
        Set<String> answered = new HashSet<>();
        outcomes.values().forEach(list -> list.forEach(outcome -> answered.add(outcome.commandId())));
        return (int) commands.keySet().stream().filter(id -> !answered.contains(id)).count();
    }

    private static List<String> union(Map<String, ?> a, Map<String, ?> b) {
        return Stream.concat(a.keySet().stream(), b.keySet().stream()).filter(Objects::nonNull)
                .distinct().sorted().toList();
    }
}
