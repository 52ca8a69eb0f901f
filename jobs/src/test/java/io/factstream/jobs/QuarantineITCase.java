package io.factstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.function.SerializableSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.factstream.catalog.Address;
import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventCatalog;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.EventType;
import io.factstream.catalog.OrderLine;
import io.factstream.catalog.PizzaSize;
import io.factstream.catalog.PricedOrderLine;
import io.factstream.catalog.RejectionReason;
import io.factstream.catalog.kitchen.PreparationStarted;
import io.factstream.catalog.kitchen.TicketOpened;
import io.factstream.catalog.kitchen.TicketPrepared;
import io.factstream.catalog.orders.CancellationReason;
import io.factstream.catalog.orders.OrderCancelled;
import io.factstream.catalog.orders.OrderPlaced;
import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.catalog.wire.UndecodableRecordException;
import io.factstream.domain.Deciders;
import io.factstream.domain.Views;
import io.factstream.domain.fulfilment.OrderFulfilment;
import io.factstream.jobs.topology.EventTime;
import io.factstream.kafka.audit.AuditReport;
import io.factstream.kafka.audit.InvariantAuditor;
import io.factstream.kafka.park.Redrive;
import io.factstream.kafka.topics.TopicAdmin;
import io.factstream.kernel.aggregate.AggregateSettings;
import io.factstream.kernel.aggregate.Decider;
import io.factstream.kernel.aggregate.Decision;
import io.factstream.kernel.saga.SagaDefinition;
import io.factstream.kernel.saga.SagaEngine;
import io.factstream.kernel.saga.SagaInput;
import io.factstream.kernel.saga.SagaWithABug;
import io.factstream.kernel.view.RowVersions;
import io.factstream.kernel.view.ViewDefinition;
import io.factstream.kernel.view.ViewWithABug;
import io.factstream.state.OrderFulfilmentState;
import io.factstream.testkit.KafkaBrokerExtension;
import io.factstream.views.KitchenQueueRow;
import io.factstream.views.ViewRow;

/**
 * Code with a bug, on a real broker, in jobs that run without restarts (a failure would end them), then an upgrade
 * to the fixed code through a savepoint and a redrive:
 *
 * <ul>
 *   <li>a decider that throws on every {@code ConfirmOrder} of one order: that order is parked, its commands
 *       answered {@code QUARANTINED} and kept on {@code orders.parked}, every other order's commands answered as the
 *       pure model answers them; the redrive feeds the parked commands back, the order gets exactly the events the
 *       fixed decider gives it, and every command still has one outcome;</li>
 *   <li>a projection that throws for one kitchen-queue row: the row's events are held ({@code views.parked}), the
 *       other rows flow; after the redrive every row has exactly the versions the fixed projection writes;</li>
 *   <li>a saga reaction that throws for one order: its inputs are held ({@code sagas.parked}), the other sagas
 *       flow; after the redrive it has sent exactly what the fixed saga sends.</li>
 * </ul>
 *
 * <p>A second redrive finds nothing to do.
 */
class QuarantineITCase {

    private static final BoundedContext CONTEXT = BoundedContext.ORDERS;
    private static final AggregateSettings SETTINGS = AggregateSettings.standard();
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final EventTime TIME = new EventTime(Duration.ofSeconds(1), Duration.ofSeconds(1),
            Duration.ofMillis(200));
    private static final SingleObjectCodec<EventEnvelope> EVENTS = SingleObjectCodec.forType(EventEnvelope.class);
    private static final SingleObjectCodec<CommandEnvelope> COMMANDS = SingleObjectCodec.forType(CommandEnvelope.class);

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.create()
            .withTopics(TopicAdmin.newTopics(TopicCatalog.sized(2, (short) 1)));

    @RegisterExtension
    static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    @TempDir
    Path savepoints;

    @Test
    void aDeciderThatThrowsForOneOrderParksItAloneAndARedriveAfterTheFixWritesWhatTheFixedDeciderWould()
            throws Exception {
        CommandMix mix = CommandMix.generate(CONTEXT, 3030L, 12);
        String poisoned = firstConfirmedOrder(mix);
        KAFKA.sendAll(mix.records());

        JobClient buggy = start(null, () -> poisoned(orders(), poisoned));
        AuditReport answered = awaitEveryCommandAnswered();
        Redrive redrive = new Redrive(KAFKA.bootstrapServers(), DEADLINE);
        List<Redrive.Parked> parked = await().atMost(DEADLINE).until(() -> redrive.parked(CONTEXT),
                p -> p.size() == 1 && p.get(0).waiting().size() == quarantined().size());
        assertThat(buggy.getJobStatus().get()).as("the job never failed").isEqualTo(JobStatus.RUNNING);
        String savepoint = stopWithSavepoint(buggy);

        JobClient fixed = start(savepoint, QuarantineITCase::orders);
        List<String> redrove = redrive.redrive(CONTEXT, Optional.of(poisoned));
        await().atMost(DEADLINE).until(() -> redrive.flows(CONTEXT, poisoned));
        AuditReport afterRedrive = awaitEveryCommandAnswered();
        List<String> second = redrive.redrive(CONTEXT, Optional.of(poisoned));
        fixed.cancel().get();

        ExpectedOutcomes model = ExpectedOutcomes.ofSends(CONTEXT, mix.sends(), SETTINGS);
        List<EventEnvelope> events = AggregateJobITCase.decode(KAFKA.readCommitted(List.of(CONTEXT.eventsTopic())),
                EventEnvelope.class);

        assertThat(parked).singleElement().satisfies(order -> {
            assertThat(order.aggregateId()).isEqualTo(poisoned);
            assertThat(order.error()).isEqualTo("java.lang.IllegalStateException: a bug confirming " + poisoned);
            assertThat(order.waiting().get(0).getCommand().getCommandType()).isEqualTo("ConfirmOrder");
            assertThat(order.waiting().get(0).getStackTrace()).contains("QuarantineITCase");
        });
        assertThat(answered.problems()).as("one outcome per command while parked").isEmpty();
        assertThat(quarantined()).hasSize(parked.get(0).waiting().size())
                .allSatisfy(r -> assertThat(r.getSubjectId()).isEqualTo(poisoned));
        assertThat(events).filteredOn(e -> !e.getAggregateId().equals(poisoned))
                .as("every other order, as the pure model")
                .containsExactlyInAnyOrderElementsOf(model.events().stream()
                        .filter(e -> !e.getAggregateId().equals(poisoned)).toList());
        assertThat(redrove).singleElement().asString()
                .startsWith("redrove " + parked.get(0).waiting().size() + " parked command").endsWith(" of " + poisoned);
        assertThat(events).filteredOn(e -> e.getAggregateId().equals(poisoned)).extracting(QuarantineITCase::fact)
                .as("the poisoned order, as the fixed decider decides it")
                .containsExactlyElementsOf(model.events().stream().filter(e -> e.getAggregateId().equals(poisoned))
                        .map(QuarantineITCase::fact).toList());
        assertThat(afterRedrive.problems()).as("one outcome per command after the redrive").isEmpty();
        assertThat(second).containsExactly(poisoned + " is not parked");
    }

    @Test
    void aProjectionThatThrowsForOneRowParksItAloneAndARedriveAfterTheFixWritesTheVersionsTheFixedProjectionWould()
            throws Exception {
        String poisoned = "ticket-poisoned";
        List<EventEnvelope> events = new ArrayList<>();
        for (String ticket : List.of("ticket-a", poisoned, "ticket-b")) {
            events.add(kitchenEvent(ticket, 1, new TicketOpened(List.of(new OrderLine("FUNGHI", PizzaSize.SMALL, 1)))));
            events.add(kitchenEvent(ticket, 2, new PreparationStarted("carlo")));
            events.add(kitchenEvent(ticket, 3, new TicketPrepared("carlo")));
        }
        write(BoundedContext.KITCHEN.eventsTopic(), events);
        Redrive redrive = new Redrive(KAFKA.bootstrapServers(), DEADLINE);

        JobClient buggy = start(null, (env, options) -> ViewJob.define(env, options, Views.all().stream()
                .<ViewDefinition<?>>map(view -> view == Views.KITCHEN_QUEUE ? buggy(Views.KITCHEN_QUEUE, poisoned) : view)
                .toList()));
        List<Redrive.ParkedKey> parked = await().atMost(DEADLINE).until(
                () -> redrive.parkedKeys(TopicCatalog.VIEWS_PARKED), p -> p.size() == 1 && p.get(0).held() == 2);
        await().atMost(DEADLINE).until(() -> kitchenQueue("ticket-b").size() == 3);
        assertThat(buggy.getJobStatus().get()).as("the job never failed").isEqualTo(JobStatus.RUNNING);
        assertThat(kitchenQueue(poisoned)).as("the row stops before the event the bug hit").hasSize(1);
        String savepoint = stopWithSavepoint(buggy);

        JobClient fixed = start(savepoint, (env, options) -> ViewJob.define(env, options, Views.all()));
        List<String> redrove = redrive.redriveKeys(TopicCatalog.VIEWS_PARKED, Optional.of(poisoned));
        await().atMost(DEADLINE).until(() -> redrive.keyFlows(TopicCatalog.VIEWS_PARKED, poisoned));
        await().atMost(DEADLINE).until(() -> kitchenQueue(poisoned).size() >= 3);
        List<String> second = redrive.redriveKeys(TopicCatalog.VIEWS_PARKED, Optional.of(poisoned));
        fixed.cancel().get();

        assertThat(parked).singleElement().satisfies(row -> {
            assertThat(row.scope()).isEqualTo("kitchen-queue");
            assertThat(row.key()).isEqualTo(poisoned);
            assertThat(row.error()).isEqualTo("java.lang.IllegalStateException: a bug in " + poisoned);
        });
        assertThat(redrove).containsExactly("asked kitchen-queue to redrive 2 held inputs of " + poisoned);
        for (String ticket : List.of("ticket-a", poisoned, "ticket-b")) {
            assertThat(kitchenQueue(ticket)).as(ticket + ": the versions a projection without the bug writes, once")
                    .isEqualTo(versionsWithoutTheBug(events.stream()
                            .filter(e -> e.getAggregateId().equals(ticket)).toList()));
        }
        assertThat(second).containsExactly(poisoned + " is not parked");
    }

    @Test
    void aSagaReactionThatThrowsForOneOrderParksItAloneAndARedriveAfterTheFixSendsWhatTheFixedSagaWould()
            throws Exception {
        String poisoned = "order-poisoned";
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<EventEnvelope> placed = new ArrayList<>();
        for (String order : List.of("order-saga-a", poisoned, "order-saga-b")) {
            placed.add(orderEvent(order, 1, now, new OrderPlaced("ada", List.of(new PricedOrderLine("MARGHERITA",
                    PizzaSize.LARGE, 1, 1300L, 1300L)), 1300L, new Address("Via Roma 1", "Napoli", "80100"), null)));
        }
        EventEnvelope cancelled = orderEvent(poisoned, 2, now.plusSeconds(1),
                new OrderCancelled(CancellationReason.CUSTOMER_REQUEST, null));
        write(BoundedContext.ORDERS.eventsTopic(), placed);
        Redrive redrive = new Redrive(KAFKA.bootstrapServers(), DEADLINE);

        JobClient buggy = start(null, (env, options) -> SagaJob.define(env, options, TIME,
                () -> startsWithABug(poisoned)));
        await().atMost(DEADLINE).until(() -> redrive.parkedKeys(TopicCatalog.SAGAS_PARKED).size() == 1);
        write(BoundedContext.ORDERS.eventsTopic(), List.of(cancelled));
        List<Redrive.ParkedKey> parked = await().atMost(DEADLINE).until(
                () -> redrive.parkedKeys(TopicCatalog.SAGAS_PARKED), p -> p.size() == 1 && p.get(0).held() == 1);
        await().atMost(DEADLINE).until(() -> sagaCommands("order-saga-b").size() == 1);
        assertThat(buggy.getJobStatus().get()).as("the job never failed").isEqualTo(JobStatus.RUNNING);
        assertThat(sagaCommands(poisoned)).as("nothing sent for the parked saga").isEmpty();
        String savepoint = stopWithSavepoint(buggy);

        JobClient fixed = start(savepoint, (env, options) -> SagaJob.define(env, options, TIME,
                () -> new OrderFulfilment(OrderFulfilment.Timeouts.standard())));
        List<String> redrove = redrive.redriveKeys(TopicCatalog.SAGAS_PARKED, Optional.of(poisoned));
        await().atMost(DEADLINE).until(() -> redrive.keyFlows(TopicCatalog.SAGAS_PARKED, poisoned));
        await().atMost(DEADLINE).until(() -> !sagaCommands(poisoned).isEmpty());
        fixed.cancel().get();

        assertThat(parked).singleElement().satisfies(saga -> {
            assertThat(saga.scope()).isEqualTo(OrderFulfilment.NAME);
            assertThat(saga.error()).isEqualTo("java.lang.IllegalStateException: a bug placing " + poisoned);
        });
        assertThat(redrove).as("its start failed as time passed it; its cancellation is held")
                .containsExactly("asked order-fulfilment to redrive 1 held input of " + poisoned);
        SagaEngine<OrderFulfilmentState> withoutTheBug = new SagaEngine<>(
                new OrderFulfilment(OrderFulfilment.Timeouts.standard()));
        assertThat(sagaCommands(poisoned)).as("what the saga without the bug sends, once")
                .isEqualTo(withoutTheBug.onInputs(poisoned, null, List.of(placed.get(1), cancelled), Long.MAX_VALUE)
                        .commands())
                .extracting(CommandEnvelope::getCommandType).containsExactly("AuthorizePayment");
    }

    /** The kitchen-queue versions of one ticket on its history topic, in order. */
    private static List<ViewRow> kitchenQueue(String ticket) throws Exception {
        return AggregateJobITCase.decode(KAFKA.readCommitted(List.of(TopicCatalog.viewHistoryTopic("kitchen-queue")))
                .stream().filter(r -> new String(r.key(), StandardCharsets.UTF_8).equals(ticket)).toList(),
                ViewRow.class);
    }

    /** The versions of a ticket's row that the kitchen-queue projection without the bug makes from its events. */
    private static List<ViewRow> versionsWithoutTheBug(List<EventEnvelope> events) {
        RowVersions<KitchenQueueRow> versions = new RowVersions<>("kitchen-queue",
                Views.KITCHEN_QUEUE.projection().create());
        List<ViewRow> rows = new ArrayList<>();
        ViewRow latest = null;
        for (EventEnvelope event : events) {
            Optional<ViewRow> next = versions.next(latest, event.getAggregateId(), event);
            if (next.isPresent()) {
                rows.add(next.get());
                latest = next.get();
            }
        }
        return rows;
    }

    /**
     * The commands the saga sent for one order, decoded, in the order written (the commands topics also hold the
     * other tests' undecodable records).
     */
    private static List<CommandEnvelope> sagaCommands(String orderId) {
        List<String> topics = Arrays.stream(BoundedContext.values()).map(BoundedContext::commandsTopic).toList();
        List<CommandEnvelope> sent = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : KAFKA.readCommitted(topics)) {
            try {
                CommandEnvelope command = COMMANDS.decode(record.value());
                if (command.getCorrelationId().equals(orderId) && command.getUserId().equals(OrderFulfilment.NAME)) {
                    sent.add(command);
                }
            } catch (UndecodableRecordException garbage) {
                // not a command: none of the saga's
            }
        }
        return sent;
    }

    /** The view with a bug: its projection throws on the preparation of one ticket. */
    private static <R extends SpecificRecord> ViewDefinition<R> buggy(ViewDefinition<R> fixed, String ticket) {
        return ViewWithABug.of(fixed, (key, event) -> key.equals(ticket)
                && event.getEventType().equals("PreparationStarted"), "a bug in " + ticket);
    }

    /** The fulfilment saga with a bug: it throws on the start of one order's saga. */
    private static SagaDefinition<OrderFulfilmentState> startsWithABug(String orderId) {
        return new SagaWithABug<>(new OrderFulfilment(OrderFulfilment.Timeouts.standard()), (state, input) ->
                state == null && input instanceof SagaInput.Event event
                        && event.envelope().getAggregateId().equals(orderId), "a bug placing " + orderId);
    }

    private static EventEnvelope kitchenEvent(String ticket, long sequence, SpecificRecord data) {
        return envelope(ticket, ticket, sequence, Instant.parse("2026-12-01T12:00:00Z").plusSeconds(sequence), data);
    }

    private static EventEnvelope orderEvent(String order, long sequence, Instant at, SpecificRecord data) {
        return envelope(order, order, sequence, at, data);
    }

    private static EventEnvelope envelope(String aggregateId, String correlationId, long sequence, Instant at,
                                          SpecificRecord data) {
        EventType type = EventCatalog.get().eventTypeOf(data);
        String id = UUID.nameUUIDFromBytes((aggregateId + "/" + sequence).getBytes(StandardCharsets.UTF_8))
                .toString();
        return new EventEnvelope(id, aggregateId, sequence, at, correlationId, type.name(), type.aggregateType(),
                "command-" + id, "someone", type.version(), data);
    }

    /** Writes events as their aggregate job would: keyed by aggregate, stamped with their time. */
    private static void write(String topic, List<EventEnvelope> events) throws Exception {
        KAFKA.sendAll(events.stream().map(e -> new ProducerRecord<>(topic, null, e.getCreationTimestamp()
                .toEpochMilli(), e.getAggregateId().getBytes(StandardCharsets.UTF_8), EVENTS.encode(e))).toList());
    }

    /** The committed rejections of commands that waited in quarantine. */
    private static List<CommandRejected> quarantined() {
        try {
            return AggregateJobITCase.decode(KAFKA.readCommitted(List.of(CONTEXT.rejectionsTopic())),
                    CommandRejected.class).stream().filter(r -> r.getReason() == RejectionReason.QUARANTINED).toList();
        } catch (Exception e) {
            throw new IllegalStateException("the rejections do not decode", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Decider<SpecificRecord> orders() {
        return (Decider<SpecificRecord>) Deciders.forContext(CONTEXT);
    }

    /** What an event says, apart from the ids that name it after its command. */
    private static String fact(EventEnvelope event) {
        return event.getSequenceNumber() + " " + event.getEventType() + " " + event.getCreationTimestamp() + " "
                + event.getEventData();
    }

    /** The first order the saga confirms in the mix: the one the bug hits. */
    private static String firstConfirmedOrder(CommandMix mix) {
        return mix.commands().stream().filter(c -> c.getCommandType().equals("ConfirmOrder")
                && c.getRoles().contains("SYSTEM")).findFirst().orElseThrow().getSubjectId();
    }

    /** The orders decider with a bug: every ConfirmOrder of one order throws. */
    private static <S extends SpecificRecord> Decider<S> poisoned(Decider<S> fixed, String poisoned) {
        return new Decider<>() {
            @Override
            public BoundedContext context() {
                return fixed.context();
            }

            @Override
            public Decision decide(CommandEnvelope command, S state) {
                if (command.getSubjectId().equals(poisoned) && command.getCommandType().equals("ConfirmOrder")) {
                    throw new IllegalStateException("a bug confirming " + poisoned);
                }
                return fixed.decide(command, state);
            }

            @Override
            public S evolve(S state, SpecificRecord event) {
                return fixed.evolve(state, event);
            }
        };
    }

    /** The orders job with this decider, without restarts: a failure would end it. */
    private static JobClient start(String savepoint, SerializableSupplier<Decider<SpecificRecord>> decider)
            throws Exception {
        return start(savepoint, (env, options) -> AggregateJob.define(env, options, CONTEXT, SETTINGS, decider));
    }

    /** A job defined so, at parallelism 1 and without restarts: a failure would end it. */
    private static JobClient start(String savepoint, BiConsumer<StreamExecutionEnvironment, JobOptions> job)
            throws Exception {
        JobOptions options = JobOptions.defaults(KAFKA.bootstrapServers());
        options.checkpointInterval = Duration.ofMillis(300);
        Configuration configuration = options.configuration();
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.setParallelism(1);
        job.accept(env, options);
        StreamGraph graph = env.getStreamGraph();
        if (savepoint != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
        }
        return env.executeAsync(graph);
    }

    /** Stops the job with a savepoint, as an upgrade does, and returns its path. */
    private String stopWithSavepoint(JobClient job) throws Exception {
        return job.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL).get();
    }

    /** Waits until every distinct command on the topic has exactly one outcome, and returns the audit. */
    private static AuditReport awaitEveryCommandAnswered() {
        return await().atMost(DEADLINE).until(() -> new InvariantAuditor().audit(CONTEXT,
                        KAFKA.readCommitted(List.of(CONTEXT.commandsTopic())),
                        KAFKA.readCommitted(List.of(CONTEXT.eventsTopic())),
                        KAFKA.readCommitted(List.of(CONTEXT.rejectionsTopic())),
                        KAFKA.readCommitted(List.of(CONTEXT.deadLetterTopic()))),
                audit -> audit.ok() && audit.distinctCommands() == audit.answeredByEvents()
                        + audit.answeredByRejection());
    }
}
