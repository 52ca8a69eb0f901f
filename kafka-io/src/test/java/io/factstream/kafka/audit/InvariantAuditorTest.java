package io.factstream.kafka.audit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandEnvelopes;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.RejectionReason;
import io.factstream.catalog.Role;
import io.factstream.catalog.delivery.DeliveryPickedUp;
import io.factstream.catalog.delivery.PickUpDelivery;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.kafka.dlq.DeadLetterHeaders;

/**
 * The auditor's own tests: for every kind of violation, topics that hold exactly that one, and the line the report
 * must give for it. Each test fails if its check is taken out of the auditor (tried for the duplicate event id, the
 * dead letter's reason and the sequence), and {@link #healthyTopicsHoldEveryInvariant} fails if a check reports
 * what is no violation.
 */
class InvariantAuditorTest {

    private static final BoundedContext CONTEXT = BoundedContext.DELIVERY;

    @Test
    void healthyTopicsHoldEveryInvariant() {
        Topics topics = new Topics()
                .command("delivery-1", "c1").event("delivery-1", 1, "c1")
                .command("delivery-1", "c2").event("delivery-1", 2, "c2").event("delivery-1", 3, "c2")
                .command("delivery-2", "c3").rejection("delivery-2", "c3")
                .command("delivery-1", "c1") // resent by a client: the aggregate ignores it
                .sagaCommand("delivery-3", "s1").event("delivery-3", 1, "s1")
                .undecodableCommand().deadLetter(5, "not a factstream record");

        AuditReport report = topics.audit();

        assertThat(report.problems()).isEmpty();
        assertThat(report.resentCommands()).isEqualTo(1);
        assertThat(report.answeredByEvents()).isEqualTo(3);
        assertThat(report.answeredByRejection()).isEqualTo(1);
        assertThat(report.lines()).contains(
                "topics:   4 events, 1 rejections, 1 dead letters (1 by delivery-aggregate)", "invariants hold");
    }

    @Test
    void aSagaCommandWrittenTwiceIsReported() {
        AuditReport report = new Topics().sagaCommand("delivery-1", "s1").event("delivery-1", 1, "s1")
                .sagaCommand("delivery-1", "s1").audit();

        assertThat(report.problems()).containsExactly("command delivery-1/s1 was written twice by order-fulfilment");
        assertThat(report.resentCommands()).isZero();
    }

    @Test
    void deadLettersOfTheJobsThatReadTheEventStoreAreTheirsNotTheAggregates() {
        AuditReport report = new Topics().undecodableEvent()
                .readerDeadLetter("views", CONTEXT.eventsTopic(), 0)
                .readerDeadLetter("order-fulfilment-saga", CONTEXT.eventsTopic(), 0)
                .undecodableRejection().readerDeadLetter("order-fulfilment-saga", CONTEXT.rejectionsTopic(), 0)
                .audit();

        assertThat(report.problems()).containsExactly(
                "record delivery.events-0@0 does not decode: not Avro single-object encoded: header 7b6e",
                "record delivery.rejections-0@0 does not decode: not Avro single-object encoded: header 7b6e");
        assertThat(report.lines()).contains("topics:   1 events, 1 rejections, 3 dead letters "
                + "(2 by order-fulfilment-saga, 1 by views)");
    }

    @Test
    void anEventKeyedByAnotherAggregateIsReportedAndItsReadersDeadLettersAreTheirs() {
        AuditReport report = new Topics().command("delivery-1", "c1")
                .keyedEvent("delivery-2", "delivery-1", 1, "c1", "e1")
                .readerDeadLetter("views", CONTEXT.eventsTopic(), 0).audit();

        assertThat(report.problems()).containsExactly(
                "event e1 at delivery.events-0@0 is keyed 'delivery-2', not 'delivery-1'");
    }

    @Test
    void aReaderDeadLetterForAnEventThatDecodesIsReported() {
        assertThat(new Topics().command("delivery-1", "c1").event("delivery-1", 1, "c1")
                .readerDeadLetter("views", CONTEXT.eventsTopic(), 0).audit().problems())
                .containsExactly("dead letter from views for delivery.events-0@0, which decodes or does not exist");
    }

    @Test
    void aDeadLetterForAnotherContextsTopicIsReported() {
        assertThat(new Topics().readerDeadLetter("views", BoundedContext.ORDERS.eventsTopic(), 0).audit().problems())
                .containsExactly("dead letter from views for orders.events-0@0, a topic this DLQ does not serve");
    }

    @Test
    void aCommandWithoutAnyOutcomeIsReported() {
        assertThat(new Topics().command("delivery-1", "c1").audit().problems())
                .containsExactly("command delivery-1/c1 has no answer");
    }

    @Test
    void aCommandRejectedTwiceIsReported() {
        assertThat(new Topics().command("delivery-1", "c1").rejection("delivery-1", "c1")
                .rejection("delivery-1", "c1").audit().problems())
                .containsExactly("command delivery-1/c1 has 2 rejections");
    }

    @Test
    void aCommandWithEventsAndARejectionIsReported() {
        assertThat(new Topics().command("delivery-1", "c1").event("delivery-1", 1, "c1")
                .rejection("delivery-1", "c1").audit().problems())
                .containsExactly("command delivery-1/c1 has events and 1 rejections");
    }

    @Test
    void outcomesOfCommandsNeverSentAreReported() {
        assertThat(new Topics().event("delivery-1", 1, "ghost").rejection("delivery-2", "phantom").audit().problems())
                .containsExactly("events answer command delivery-1/ghost, which was never sent",
                        "a rejection answers command delivery-2/phantom, which was never sent");
    }

    @Test
    void aSequenceGapIsReported() {
        AuditReport report = new Topics().command("delivery-1", "c1").event("delivery-1", 1, "c1")
                .command("delivery-1", "c2").event("delivery-1", 3, "c2").audit();

        assertThat(report.problems()).containsExactly("aggregate delivery-1: sequence number 3 where 2 was due");
        assertThat(report.sequenceGaps()).isEqualTo(1);
    }

    @Test
    void aRepeatedSequenceNumberIsReported() {
        assertThat(new Topics().command("delivery-1", "c1").event("delivery-1", 1, "c1")
                .command("delivery-1", "c2").event("delivery-1", 1, "c2").audit().problems())
                .containsExactly("aggregate delivery-1: sequence number 1 where 2 was due");
    }

    @Test
    void aSequenceGoingBackwardsIsReported() {
        assertThat(new Topics().command("delivery-1", "c1").event("delivery-1", 1, "c1").event("delivery-1", 2, "c1")
                .command("delivery-1", "c2").event("delivery-1", 1, "c2").audit().problems())
                .containsExactly("aggregate delivery-1: sequence number 1 where 3 was due");
    }

    @Test
    void aDuplicateEventIdIsReported() {
        AuditReport report = new Topics().command("delivery-1", "c1").event("delivery-1", 1, "c1", "e1")
                .command("delivery-2", "c2").event("delivery-2", 1, "c2", "e1").audit();

        assertThat(report.problems()).containsExactly("event id e1 of delivery-2 repeats");
        assertThat(report.repeatedEventIds()).isEqualTo(1);
    }

    @Test
    void anUndecodableCommandMissingFromTheDeadLettersIsReported() {
        assertThat(new Topics().undecodableCommand().audit().problems())
                .containsExactly("undecodable record delivery.commands-0@0 is not on the DLQ");
    }

    @Test
    void aDeadLetterWithoutAReasonIsReported() {
        assertThat(new Topics().undecodableCommand().deadLetter(0, " ").audit().problems())
                .containsExactly("dead letter at offset 0 gives no reason");
    }

    @Test
    void aRecordDeadLetteredTwiceIsReported() {
        assertThat(new Topics().undecodableCommand().deadLetter(0, "garbage").deadLetter(0, "garbage").audit()
                .problems()).containsExactly("record delivery.commands-0@0 is on the DLQ more than once");
    }

    @Test
    void aDeadLetterForARecordThatDecodesIsReported() {
        assertThat(new Topics().command("delivery-1", "c1").rejection("delivery-1", "c1").deadLetter(0, "garbage")
                .audit().problems())
                .containsExactly("dead letter for delivery.commands-0@0, which decodes or does not exist");
    }

    @Test
    void anUndecodableEventIsReported() {
        assertThat(new Topics().undecodableEvent().audit().problems()).singleElement().asString()
                .startsWith("record delivery.events-0@0 does not decode: ");
    }

    /** What one context's four topics hold, one partition each, built record by record in log order. */
    private static final class Topics {

        private static final SingleObjectCodec<CommandEnvelope> COMMANDS =
                SingleObjectCodec.forType(CommandEnvelope.class);
        private static final SingleObjectCodec<EventEnvelope> EVENTS = SingleObjectCodec.forType(EventEnvelope.class);
        private static final SingleObjectCodec<CommandRejected> REJECTIONS =
                SingleObjectCodec.forType(CommandRejected.class);
        private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");

        private final List<ConsumerRecord<byte[], byte[]>> commands = new ArrayList<>();
        private final List<ConsumerRecord<byte[], byte[]>> events = new ArrayList<>();
        private final List<ConsumerRecord<byte[], byte[]>> rejections = new ArrayList<>();
        private final List<ConsumerRecord<byte[], byte[]>> deadLetters = new ArrayList<>();

        Topics command(String aggregateId, String commandId) {
            CommandEnvelope command = CommandEnvelopes.builder(new PickUpDelivery()).setCommandId(commandId)
                    .setSubjectId(aggregateId).setUserId("courier-1").setRoles(List.of("COURIER"))
                    .setCreationTimestamp(NOW).setCorrelationId(aggregateId).build();
            commands.add(record(CONTEXT.commandsTopic(), commands.size(), aggregateId, COMMANDS.encode(command)));
            return this;
        }

        /** A command the order-fulfilment saga sends, with the platform's role. */
        Topics sagaCommand(String aggregateId, String commandId) {
            CommandEnvelope command = CommandEnvelopes.builder(new PickUpDelivery()).setCommandId(commandId)
                    .setSubjectId(aggregateId).setUserId("order-fulfilment").setRoles(List.of(Role.SYSTEM.name()))
                    .setCreationTimestamp(NOW).setCorrelationId(aggregateId).build();
            commands.add(record(CONTEXT.commandsTopic(), commands.size(), aggregateId, COMMANDS.encode(command)));
            return this;
        }

        Topics undecodableEvent() {
            events.add(record(CONTEXT.eventsTopic(), events.size(), "delivery-x", "{not avro}".getBytes(UTF_8)));
            return this;
        }

        Topics undecodableRejection() {
            rejections.add(record(CONTEXT.rejectionsTopic(), rejections.size(), "delivery-x",
                    "{not avro}".getBytes(UTF_8)));
            return this;
        }

        Topics undecodableCommand() {
            commands.add(record(CONTEXT.commandsTopic(), commands.size(), "delivery-x", "{not avro}".getBytes(UTF_8)));
            return this;
        }

        Topics event(String aggregateId, long sequenceNumber, String causationId) {
            return event(aggregateId, sequenceNumber, causationId,
                    aggregateId + "#" + sequenceNumber + "/" + causationId);
        }

        Topics event(String aggregateId, long sequenceNumber, String causationId, String eventId) {
            return keyedEvent(aggregateId, aggregateId, sequenceNumber, causationId, eventId);
        }

        /** An event whose record is keyed {@code key}, which the aggregate job never does but for its aggregate. */
        Topics keyedEvent(String key, String aggregateId, long sequenceNumber, String causationId, String eventId) {
            EventEnvelope event = EventEnvelope.newBuilder().setEventId(eventId).setAggregateId(aggregateId)
                    .setSequenceNumber(sequenceNumber).setCreationTimestamp(NOW).setCorrelationId(aggregateId)
                    .setEventType("DeliveryPickedUp").setAggregateType(CONTEXT.aggregateType())
                    .setCausationId(causationId).setUserId("courier-1").setSchemaVersion(1)
                    .setEventData(new DeliveryPickedUp("courier-1")).build();
            events.add(record(CONTEXT.eventsTopic(), events.size(), key, EVENTS.encode(event)));
            return this;
        }

        Topics rejection(String aggregateId, String commandId) {
            CommandRejected rejection = CommandRejected.newBuilder().setCommandId(commandId).setSubjectId(aggregateId)
                    .setCommandType("PickUpDelivery").setAggregateType(CONTEXT.aggregateType())
                    .setReason(RejectionReason.UNKNOWN_AGGREGATE).setMessage("no delivery " + aggregateId)
                    .setUserId("courier-1").setCorrelationId(aggregateId).setCreationTimestamp(NOW)
                    .setAggregateVersion(0L).build();
            rejections.add(record(CONTEXT.rejectionsTopic(), rejections.size(), aggregateId,
                    REJECTIONS.encode(rejection)));
            return this;
        }

        /** A dead letter for the command record at {@code sourceOffset}, as the aggregate job writes it. */
        Topics deadLetter(long sourceOffset, String reason) {
            return deadLetter(CONTEXT.id() + "-aggregate", CONTEXT.commandsTopic(), sourceOffset, reason);
        }

        /** A dead letter for a record of the event store that a saga or the views job could not read. */
        Topics readerDeadLetter(String writer, String sourceTopic, long sourceOffset) {
            return deadLetter(writer, sourceTopic, sourceOffset, "not Avro single-object encoded");
        }

        private Topics deadLetter(String writer, String sourceTopic, long sourceOffset, String reason) {
            ConsumerRecord<byte[], byte[]> letter = record(CONTEXT.deadLetterTopic(), deadLetters.size(),
                    "delivery-x", "{not avro}".getBytes(UTF_8));
            letter.headers().add(new RecordHeader(DeadLetterHeaders.REASON, reason.getBytes(UTF_8)));
            letter.headers().add(new RecordHeader(DeadLetterHeaders.SOURCE_TOPIC, sourceTopic.getBytes(UTF_8)));
            letter.headers().add(new RecordHeader(DeadLetterHeaders.WRITER, writer.getBytes(UTF_8)));
            letter.headers().add(new RecordHeader(DeadLetterHeaders.SOURCE_PARTITION, "0".getBytes(UTF_8)));
            letter.headers().add(new RecordHeader(DeadLetterHeaders.SOURCE_OFFSET,
                    Long.toString(sourceOffset).getBytes(UTF_8)));
            deadLetters.add(letter);
            return this;
        }

        AuditReport audit() {
            return new InvariantAuditor().audit(CONTEXT, commands, events, rejections, deadLetters);
        }
    }

    private static ConsumerRecord<byte[], byte[]> record(String topic, long offset, String key, byte[] value) {
        return new ConsumerRecord<>(topic, 0, offset, key.getBytes(UTF_8), value);
    }
}
