package io.factstream.kernel.saga;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.apache.avro.specific.SpecificRecord;

import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventCatalog;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.EventType;
import io.factstream.catalog.RejectionReason;
import io.factstream.state.SagaSnapshot;

/**
 * Tests of a saga through its {@link SagaEngine}, without Flink: events arrive, answers to the saga's commands come
 * back, the watermark moves, and the test checks what the saga sent.
 *
 * <pre>{@code
 * saga.receive("OrderPlaced", placed, T0).advanceTo(T0)
 *     .thenSent("AuthorizePayment")
 *     .answer("AuthorizePayment", new PaymentAuthorized(...))
 *     .thenSent("ConfirmOrder", "OpenTicket");
 * }</pre>
 */
public final class SagaFixture<S extends SpecificRecord> {

    private SagaEngine<S> engine;
    private final String sagaId;
    private SagaSnapshot snapshot;
    private long watermark = Long.MIN_VALUE;
    private final List<CommandEnvelope> sent = new ArrayList<>();
    private final List<SpecificRecord> inputs = new ArrayList<>();
    private List<CommandEnvelope> lastSent = List.of();
    private String outcome;
    private int late;

    public SagaFixture(SagaDefinition<S> definition, String sagaId) {
        this.engine = new SagaEngine<>(definition);
        this.sagaId = sagaId;
    }

    /** An event of another component arrives: {@code aggregateId} is the order unless given otherwise. */
    public SagaFixture<S> receive(SpecificRecord eventData, Instant time) {
        return receive(eventData, time, sagaId);
    }

    public SagaFixture<S> receive(SpecificRecord eventData, Instant time, String aggregateId) {
        return input(event(eventData, time, aggregateId, id("human/" + eventData.getSchema().getName() + "/" + time),
                "someone", sagaId));
    }

    /** The answer to the last command of this type that the saga sent: its event. */
    public SagaFixture<S> answer(String commandType, SpecificRecord eventData) {
        return input(answerTo(lastSentOfType(commandType), eventData, sagaId));
    }

    /** The event answering a command, as its aggregate would publish it. */
    public static EventEnvelope answerTo(CommandEnvelope command, SpecificRecord eventData, String sagaId) {
        return event(eventData, command.getCreationTimestamp(), command.getSubjectId(), command.getCommandId(),
                command.getUserId(), sagaId);
    }

    /** The answer to the last command of this type that the saga sent: its rejection. */
    public SagaFixture<S> reject(String commandType, String message) {
        return input(rejectionOf(lastSentOfType(commandType), message));
    }

    /** The rejection answering a command, as its aggregate would publish it. */
    public static CommandRejected rejectionOf(CommandEnvelope command, String message) {
        return new CommandRejected(command.getCommandId(), command.getSubjectId(), command.getCommandType(),
                command.getAggregateType(), RejectionReason.BUSINESS_RULE_VIOLATION, message, command.getUserId(),
                command.getCorrelationId(), command.getCreationTimestamp(), 1L);
    }

    /** The watermark moves to this time. */
    public SagaFixture<S> advanceTo(Instant time) {
        watermark = time.toEpochMilli();
        record(snapshot == null ? null : engine.onTime(sagaId, snapshot, watermark));
        return this;
    }

    /** An input as it would reach the operator: an {@link EventEnvelope} or a {@link CommandRejected}. */
    public SagaFixture<S> input(SpecificRecord input) {
        inputs.add(input);
        record(engine.onInput(sagaId, snapshot, input, watermark));
        return this;
    }

    /** The saga job is upgraded to another definition: the snapshot carries over, as a savepoint carries it. */
    public SagaFixture<S> upgradedTo(SagaDefinition<S> definition) {
        engine = new SagaEngine<>(definition);
        return this;
    }

    /** The saga runs under this version of its definition. */
    public SagaFixture<S> thenRunsVersion(int version) {
        assertThat(snapshot).as("a saga in flight").isNotNull();
        assertThat(snapshot.getDefinitionVersion()).as("the version the saga runs under").isEqualTo(version);
        return this;
    }

    /** The commands sent by the last step, by type, in order. */
    public SagaFixture<S> thenSent(String... commandTypes) {
        assertThat(lastSent).extracting(CommandEnvelope::getCommandType).containsExactly(commandTypes);
        return this;
    }

    /** The commands sent by the last step, whole. */
    public List<CommandEnvelope> lastSent() {
        return lastSent;
    }

    /** Every input so far, in order: the log a saga job would read. */
    public List<SpecificRecord> inputs() {
        return inputs;
    }

    /** Every command sent so far. */
    public List<CommandEnvelope> allSent() {
        return sent;
    }

    /** The saga ended with this outcome and keeps nothing. */
    public SagaFixture<S> thenFinished(String expectedOutcome) {
        assertThat(outcome).isEqualTo(expectedOutcome);
        assertThat(snapshot).as("a finished saga keeps no state").isNull();
        return this;
    }

    /** The pending timeouts, by name and time. */
    public SagaFixture<S> thenDeadlines(String... nameAtTime) {
        List<String> deadlines = snapshot == null ? List.of() : snapshot.getDeadlines().stream()
                .map(d -> d.getName() + "@" + d.getAt()).toList();
        assertThat(deadlines).containsExactlyInAnyOrder(nameAtTime);
        return this;
    }

    public SagaSnapshot snapshot() {
        return snapshot;
    }

    /** How many inputs arrived after the watermark had passed them. */
    public int late() {
        return late;
    }

    private void record(SagaEngine.Result result) {
        if (result == null) {
            lastSent = List.of();
            return;
        }
        snapshot = result.snapshot();
        lastSent = result.commands();
        sent.addAll(result.commands());
        if (result.finished()) {
            outcome = result.outcome();
        }
        if (result.late()) {
            late++;
        }
    }

    private CommandEnvelope lastSentOfType(String commandType) {
        for (int i = sent.size() - 1; i >= 0; i--) {
            if (sent.get(i).getCommandType().equals(commandType)) {
                return sent.get(i);
            }
        }
        throw new AssertionError("the saga sent no " + commandType + "; it sent "
                + sent.stream().map(CommandEnvelope::getCommandType).toList());
    }

    private static EventEnvelope event(SpecificRecord data, Instant time, String aggregateId, String causationId,
                                       String userId, String sagaId) {
        EventType type = EventCatalog.get().eventTypeOf(data);
        // Ids from content, so that the same events get the same ids whatever order a test sends them in.
        String eventId = id("event/" + aggregateId + "/" + type.name() + "/" + time + "/" + causationId);
        return new EventEnvelope(eventId, aggregateId, 1L, time, sagaId,
                type.name(), type.aggregateType(), causationId, userId, type.version(), data);
    }

    private static String id(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(UTF_8)).toString();
    }
}
