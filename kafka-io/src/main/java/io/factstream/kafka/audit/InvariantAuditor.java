package io.factstream.kafka.audit;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.Role;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.catalog.wire.UndecodableRecordException;
import io.factstream.kafka.dlq.DeadLetterHeaders;
import io.factstream.kafka.read.CommittedReader;

/**
 * Checks invariants 1 to 3 of {@code docs/architecture.md} on what one context's topics hold, read with {@code read_committed}:
 *
 * <ul>
 *   <li>every distinct command (aggregate id and command id) has events carrying its id as causation id, or
 *       exactly one rejection: never both, never neither; a resent command gets nothing more;</li>
 *   <li>every undecodable command record is on the DLQ, with a reason, pointing back at its offset;</li>
 *   <li>per aggregate, the events' sequence numbers run 1, 2, 3, ... in log order, and no event id repeats;</li>
 *   <li>every event is keyed by its aggregate id and every rejection by its command's subject id, as the aggregate
 *       job writes them: a record keyed otherwise is a foreign write, and the jobs that read it dead-letter it;</li>
 *   <li>a saga writes each of its commands once: a client may resend a command (the aggregate ignores the copy),
 *       the saga's exactly-once output never does;</li>
 *   <li>a dead letter names the job that wrote it ({@link DeadLetterHeaders#WRITER}): the aggregate job's are for
 *       command records, those of the jobs that read the event store (sagas, views) for event or rejection records;
 *       each points at a record that does not decode (or, for a reader, one keyed otherwise), once per job.</li>
 * </ul>
 *
 * <p>It knows nothing of the domain: it audits any aggregate job, live or after a chaos run.
 */
public final class InvariantAuditor {

    private final SingleObjectCodec<CommandEnvelope> commandCodec = SingleObjectCodec.forType(CommandEnvelope.class);
    private final SingleObjectCodec<EventEnvelope> eventCodec = SingleObjectCodec.forType(EventEnvelope.class);
    private final SingleObjectCodec<CommandRejected> rejectionCodec = SingleObjectCodec.forType(CommandRejected.class);

    /** Audits what one context's topics hold, all of it, as {@code read_committed} consumers see it. */
    public AuditReport audit(CommittedReader topics, BoundedContext context) {
        return audit(context, topics.readAll(List.of(context.commandsTopic())),
                topics.readAll(List.of(context.eventsTopic())),
                topics.readAll(List.of(context.rejectionsTopic())),
                topics.readAll(List.of(context.deadLetterTopic())));
    }

    /** Audits the records of one context's commands, events, rejections and DLQ topics, each in partition order. */
    public AuditReport audit(BoundedContext context,
                             List<ConsumerRecord<byte[], byte[]>> commands,
                             List<ConsumerRecord<byte[], byte[]>> events,
                             List<ConsumerRecord<byte[], byte[]>> rejections,
                             List<ConsumerRecord<byte[], byte[]>> deadLetters) {
        String commandsTopic = context.commandsTopic();
        Set<String> outcomeTopics = Set.of(context.eventsTopic(), context.rejectionsTopic());
        List<String> problems = new ArrayList<>();

        Set<String> distinct = new LinkedHashSet<>();
        Set<String> undecodableOffsets = new HashSet<>();
        long resent = 0;
        for (ConsumerRecord<byte[], byte[]> record : commands) {
            try {
                CommandEnvelope command = commandCodec.decode(record.value());
                String key = commandKey(command.getSubjectId(), command.getCommandId());
                if (distinct.add(key)) {
                    continue;
                }
                if (command.getRoles().contains(Role.SYSTEM.name())) {
                    problems.add("command " + key + " was written twice by " + command.getUserId());
                } else {
                    resent++;
                }
            } catch (UndecodableRecordException e) {
                undecodableOffsets.add(position(record.topic(), record.partition(), record.offset()));
            }
        }

        Set<String> unreadableOutcomes = new HashSet<>();
        Map<String, Long> eventsByCommand = new HashMap<>();
        Map<String, Long> lastSequence = new HashMap<>();
        Set<String> eventIds = new HashSet<>();
        Map<String, Long> eventTypes = new HashMap<>();
        long gaps = 0;
        long repeatedEventIds = 0;
        for (ConsumerRecord<byte[], byte[]> record : events) {
            EventEnvelope event = decode(eventCodec, record, problems, unreadableOutcomes);
            if (event == null) {
                continue;
            }
            checkKey(record, event.getAggregateId(), "event " + event.getEventId(), problems, unreadableOutcomes);
            eventTypes.merge(event.getEventType(), 1L, Long::sum);
            if (!eventIds.add(event.getEventId())) {
                repeatedEventIds++;
                problems.add("event id " + event.getEventId() + " of " + event.getAggregateId() + " repeats");
            }
            long expected = lastSequence.getOrDefault(event.getAggregateId(), 0L) + 1;
            if (event.getSequenceNumber() != expected) {
                gaps++;
                problems.add("aggregate " + event.getAggregateId() + ": sequence number " + event.getSequenceNumber()
                        + " where " + expected + " was due");
            }
            lastSequence.put(event.getAggregateId(), event.getSequenceNumber());
            eventsByCommand.merge(commandKey(event.getAggregateId(), event.getCausationId()), 1L, Long::sum);
        }

        Map<String, Long> rejectionsByCommand = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : rejections) {
            CommandRejected rejection = decode(rejectionCodec, record, problems, unreadableOutcomes);
            if (rejection != null) {
                checkKey(record, rejection.getSubjectId(), "the rejection of command " + rejection.getCommandId(),
                        problems, unreadableOutcomes);
                rejectionsByCommand.merge(commandKey(rejection.getSubjectId(), rejection.getCommandId()), 1L,
                        Long::sum);
            }
        }

        long byEvents = 0;
        long byRejection = 0;
        for (String command : distinct) {
            boolean hasEvents = eventsByCommand.containsKey(command);
            long rejected = rejectionsByCommand.getOrDefault(command, 0L);
            if (hasEvents && rejected == 0) {
                byEvents++;
            } else if (!hasEvents && rejected == 1) {
                byRejection++;
            } else if (hasEvents) {
                problems.add("command " + command + " has events and " + rejected + " rejections");
            } else if (rejected == 0) {
                problems.add("command " + command + " has no answer");
            } else {
                problems.add("command " + command + " has " + rejected + " rejections");
            }
        }
        eventsByCommand.keySet().stream().filter(c -> !distinct.contains(c))
                .forEach(c -> problems.add("events answer command " + c + ", which was never sent"));
        rejectionsByCommand.keySet().stream().filter(c -> !distinct.contains(c))
                .forEach(c -> problems.add("a rejection answers command " + c + ", which was never sent"));

        Set<String> deadLettered = new HashSet<>();
        Set<String> commandsDeadLettered = new HashSet<>();
        Map<String, Long> deadLettersByWriter = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> record : deadLetters) {
            String reason = header(record, DeadLetterHeaders.REASON);
            String writer = Objects.requireNonNullElse(header(record, DeadLetterHeaders.WRITER), "an unnamed job");
            String sourceTopic = header(record, DeadLetterHeaders.SOURCE_TOPIC);
            String source = position(sourceTopic, parse(header(record, DeadLetterHeaders.SOURCE_PARTITION)),
                    parse(header(record, DeadLetterHeaders.SOURCE_OFFSET)));
            deadLettersByWriter.merge(writer, 1L, Long::sum);
            if (reason == null || reason.isBlank()) {
                problems.add("dead letter at offset " + record.offset() + " gives no reason");
            }
            if (!deadLettered.add(writer + " " + source)) {
                problems.add("record " + source + " is on the DLQ more than once");
            }
            if (commandsTopic.equals(sourceTopic)) {
                commandsDeadLettered.add(source);
            } else if (!outcomeTopics.contains(sourceTopic)) {
                problems.add("dead letter from " + writer + " for " + source + ", a topic this DLQ does not serve");
            } else if (!unreadableOutcomes.contains(source)) {
                problems.add("dead letter from " + writer + " for " + source + ", which decodes or does not exist");
            }
        }
        undecodableOffsets.stream().filter(o -> !commandsDeadLettered.contains(o))
                .forEach(o -> problems.add("undecodable record " + o + " is not on the DLQ"));
        commandsDeadLettered.stream().filter(o -> !undecodableOffsets.contains(o))
                .forEach(o -> problems.add("dead letter for " + o + ", which decodes or does not exist"));

        return new AuditReport(commands.size(), distinct.size(), resent, byEvents, byRejection,
                undecodableOffsets.size(), deadLettersByWriter, events.size(), eventTypes, rejections.size(), gaps,
                repeatedEventIds, problems);
    }

    /** The record decoded; null, with a problem and its position among the undecodable, when it does not decode. */
    private static <T extends SpecificRecord> T decode(SingleObjectCodec<T> codec,
            ConsumerRecord<byte[], byte[]> record, List<String> problems, Set<String> undecodable) {
        try {
            return codec.decode(record.value());
        } catch (UndecodableRecordException e) {
            String position = position(record.topic(), record.partition(), record.offset());
            undecodable.add(position);
            problems.add("record " + position + " does not decode: " + e.getMessage());
            return null;
        }
    }

    /** A problem, and the record among those its readers dead-letter, when it is not keyed {@code expected}. */
    private static void checkKey(ConsumerRecord<byte[], byte[]> record, String expected, String what,
                                 List<String> problems, Set<String> unreadable) {
        String key = record.key() == null ? null : new String(record.key(), UTF_8);
        if (!expected.equals(key)) {
            String position = position(record.topic(), record.partition(), record.offset());
            unreadable.add(position);
            problems.add(what + " at " + position + " is keyed " + (key == null ? "by nothing" : "'" + key + "'")
                    + ", not '" + expected + "'");
        }
    }

    private static String commandKey(String aggregateId, String commandId) {
        return aggregateId + "/" + commandId;
    }

    private static String position(String topic, long partition, long offset) {
        return topic + "-" + partition + "@" + offset;
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), UTF_8);
    }

    private static long parse(String number) {
        try {
            return number == null ? -1 : Long.parseLong(number);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
