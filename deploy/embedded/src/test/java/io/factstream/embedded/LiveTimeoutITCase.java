package io.factstream.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.factstream.catalog.Address;
import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandEnvelopes;
import io.factstream.catalog.EventCatalog;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.OrderLine;
import io.factstream.catalog.PizzaSize;
import io.factstream.catalog.Role;
import io.factstream.catalog.orders.CancellationReason;
import io.factstream.catalog.orders.OrderCancelled;
import io.factstream.catalog.orders.OrderConfirmed;
import io.factstream.catalog.orders.PlaceOrder;
import io.factstream.catalog.payments.OpenWallet;
import io.factstream.catalog.payments.TopUpWallet;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.domain.fulfilment.OrderFulfilment;

/** Invariant 5, live: a timeout fires although nothing at all happens after the order. */
class LiveTimeoutITCase {

    private static final SingleObjectCodec<CommandEnvelope> COMMANDS = SingleObjectCodec.forType(CommandEnvelope.class);
    private static final SingleObjectCodec<EventEnvelope> EVENTS = SingleObjectCodec.forType(EventEnvelope.class);
    /** How long the six jobs may take to stop with savepoints, one after another. */
    private static final Duration STOP_BOUND = Duration.ofSeconds(60);

    @Test
    void theKitchenTimeoutFiresWhenNoOtherEventArrives() throws Exception {
        try (EmbeddedPlatform platform = withTimeouts(Duration.ofSeconds(3))) {
            Instant placedAt = placeAnOrder(platform);
            // No cook ever comes, and nothing else is sent: only the clock moves time on.

            List<ConsumerRecord<byte[], byte[]>> orderEvents = platform.kafka().readCommittedUntil(
                    List.of(BoundedContext.ORDERS.eventsTopic()),
                    records -> records.stream().anyMatch(r -> decode(r).getEventData() instanceof OrderCancelled),
                    Duration.ofSeconds(60));

            EventEnvelope cancelled = orderEvents.stream().map(LiveTimeoutITCase::decode)
                    .filter(e -> e.getEventData() instanceof OrderCancelled).findFirst().orElseThrow();
            assertThat(((OrderCancelled) cancelled.getEventData()).getReason())
                    .isEqualTo(CancellationReason.KITCHEN_TIMEOUT);
            assertThat(cancelled.getCreationTimestamp()).as("the deadline, in business time")
                    .isEqualTo(placedAt.plusSeconds(3));
            assertThat(platform.awaitSagasFinished(1, Duration.ofSeconds(60)).moneyConserved()).isTrue();
        }
    }

    /**
     * The saga's stop-with-savepoint that never completed: a second writer of {@code orders.events} repeats the
     * answer to the saga's ConfirmOrder. The saga kept the copy as a pending input that was due at once and never
     * handled, so its timer fired again and again within one watermark: the watermark, the kitchen timeout and
     * every checkpoint barrier stayed behind it. Now the timeout fires, every job of the platform stops with a
     * savepoint within {@link #STOP_BOUND}, and all six resume from their savepoints and go on.
     */
    @Test
    void aSagaThatReadsAnAnswerTwiceStillTimesOutAndEveryJobStopsWithASavepointAndResumes(@TempDir Path savepoints)
            throws Exception {
        try (EmbeddedPlatform platform = withTimeouts(Duration.ofSeconds(10))) {
            placeAnOrder(platform);
            ConsumerRecord<byte[], byte[]> confirmed = platform.kafka().readCommittedUntil(
                    List.of(BoundedContext.ORDERS.eventsTopic()),
                    records -> records.stream().anyMatch(r -> decode(r).getEventData() instanceof OrderConfirmed),
                    Duration.ofSeconds(60)).stream().filter(r -> decode(r).getEventData() instanceof OrderConfirmed)
                    .findFirst().orElseThrow();

            platform.kafka().send(new ProducerRecord<>(confirmed.topic(), confirmed.key(), confirmed.value()));

            platform.kafka().readCommittedUntil(List.of(BoundedContext.ORDERS.eventsTopic()),
                    records -> records.stream().anyMatch(r -> decode(r).getEventData() instanceof OrderCancelled),
                    Duration.ofSeconds(60));
            Instant stopping = Instant.now();
            Map<String, String> stopped = platform.stopJobsWithSavepoints(savepoints, STOP_BOUND);
            Duration took = Duration.between(stopping, Instant.now());
            System.out.println("six jobs stopped with savepoints in " + took.toMillis() + " ms: " + stopped);
            platform.resumeJobs(stopped);
            send(platform, "order-2", Role.CUSTOMER, new PlaceOrder("ada",
                    List.of(new OrderLine("MARINARA", PizzaSize.SMALL, 1)), new Address("Via Roma 1", "Napoli",
                            "80100"), null), "order-2");

            assertThat(stopped).as("every job stopped with a savepoint")
                    .containsOnlyKeys("orders", "payments", "kitchen", "delivery", "saga", "views")
                    .allSatisfy((job, savepoint) -> assertThat(savepoint)
                            .contains(savepoints.getFileName().toString()));
            assertThat(took).as("six stops with a savepoint").isLessThan(STOP_BOUND);
            assertThat(platform.awaitSagasFinished(2, Duration.ofSeconds(60)).moneyConserved())
                    .as("the resumed jobs end both sagas, the second by its own timeout").isTrue();
        }
    }

    /** The platform on one partition, with these kitchen and delivery timeouts. */
    private static EmbeddedPlatform withTimeouts(Duration timeout) throws Exception {
        EmbeddedPlatform.Settings quick = EmbeddedPlatform.Settings.quick();
        return EmbeddedPlatform.start(new EmbeddedPlatform.Settings(1, quick.checkpointInterval(),
                new OrderFulfilment.Timeouts(timeout, timeout), quick.time()), EmbeddedPlatform.Logic.standard());
    }

    /** Ada opens and tops up her wallet and places order-1; returns when she placed it. */
    private static Instant placeAnOrder(EmbeddedPlatform platform) throws Exception {
        send(platform, "ada", Role.CUSTOMER, new OpenWallet(), "ada");
        send(platform, "ada", Role.CUSTOMER, new TopUpWallet(5_000L), "ada");
        return send(platform, "order-1", Role.CUSTOMER, new PlaceOrder("ada",
                List.of(new OrderLine("MARINARA", PizzaSize.SMALL, 1)), new Address("Via Roma 1", "Napoli", "80100"),
                null), "order-1");
    }

    private static Instant send(EmbeddedPlatform platform, String subject, Role role, SpecificRecord data,
                                String correlation) throws Exception {
        Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
        CommandEnvelope command = CommandEnvelopes.builder(data)
                .setCommandId(UUID.nameUUIDFromBytes((subject + data).getBytes(UTF_8)).toString())
                .setSubjectId(subject)
                .setUserId("ada")
                .setCreationTimestamp(now)
                .setRoles(List.of(role.name()))
                .setCorrelationId(correlation)
                .build();
        String topic = EventCatalog.get().commandTypeOf(data).context().commandsTopic();
        platform.kafka().send(new ProducerRecord<>(topic, subject.getBytes(UTF_8), COMMANDS.encode(command)));
        return now;
    }

    private static EventEnvelope decode(ConsumerRecord<byte[], byte[]> record) {
        try {
            return EVENTS.decode(record.value());
        } catch (Exception e) {
            throw new AssertionError("undecodable event at offset " + record.offset(), e);
        }
    }
}
