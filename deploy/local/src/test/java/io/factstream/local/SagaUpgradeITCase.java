package io.factstream.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
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
import io.factstream.catalog.delivery.CompleteDelivery;
import io.factstream.catalog.delivery.PickUpDelivery;
import io.factstream.catalog.kitchen.MarkTicketPrepared;
import io.factstream.catalog.kitchen.StartPreparation;
import io.factstream.catalog.orders.CancelOrder;
import io.factstream.catalog.orders.CancellationReason;
import io.factstream.catalog.orders.PlaceOrder;
import io.factstream.catalog.payments.OpenWallet;
import io.factstream.catalog.payments.TopUpWallet;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.catalog.wire.UndecodableRecordException;
import io.factstream.domain.fulfilment.OrderFulfilment;
import io.factstream.jobs.PlatformJob;
import io.factstream.kafka.audit.PlatformAudit;
import io.factstream.kafka.read.CommittedReader;

/**
 * The saga upgrade on a real cluster: orders wait in every phase a saga waits in (for its payment, the kitchen, a
 * courier, the delivery, the capture of its payment, its compensation) when the saga job is upgraded through a
 * savepoint to version 2 of its definition (deploy/upgrade-fixture: one step more, the kitchen ticket opens once the
 * order is confirmed). The payments job is stopped meanwhile, with Flink's own REST API, so that the sagas waiting
 * for it stay in flight. Every saga in flight finishes under version 1, the one it started under: the order waiting
 * for its payment at the upgrade is confirmed and put on the kitchen's queue at once when the payment comes, as
 * version 1 does; an order placed after the upgrade runs version 2, its ticket caused by its confirmation. Every
 * order ends as its plan says and the audit of the whole platform is clean.
 */
class SagaUpgradeITCase {

    private static final PlatformJob SAGA = PlatformJob.byId("saga");
    private static final PlatformJob PAYMENTS = PlatformJob.byId("payments");
    private static final List<PlatformJob> JOBS = List.of(PlatformJob.byId("orders"), PAYMENTS,
            PlatformJob.byId("kitchen"), PlatformJob.byId("delivery"), SAGA);
    /** The fixture jar, run by the entry class of its saga job. */
    private static final Path FIXTURE_JAR = Path.of(System.getProperty("factstream.orders-v2.jar"));
    private static final String SAGA_V2_JOB = "io.factstream.upgrade.SagaV2Job";
    /** Far longer than the test: no kitchen or delivery times out. */
    private static final Duration SAGA_TIMEOUT = Duration.ofMinutes(30);
    private static final Address ADDRESS = new Address("Via Roma 1", "Napoli", "80100");
    private static final SingleObjectCodec<CommandEnvelope> COMMANDS = SingleObjectCodec.forType(CommandEnvelope.class);
    private static final SingleObjectCodec<EventEnvelope> EVENTS = SingleObjectCodec.forType(EventEnvelope.class);

    @TempDir
    Path dataDir;

    private final Random random = new Random(7);

    @Test
    void sagasInFlightFinishUnderTheVersionTheyStartedUnderAndNewOnesRunTheNewVersion() throws Exception {
        try (PlatformFixture fixture = new PlatformFixture(dataDir, SAGA_TIMEOUT);
             KafkaProducer<String, byte[]> producer = producer(fixture.bootstrapServers())) {
            fixture.up(JOBS);
            Path sagaV2 = FixtureJars.withMainClass(FIXTURE_JAR, SAGA_V2_JOB, dataDir.resolve("saga-v2.jar"));
            Topics topics = new Topics(fixture.bootstrapServers());
            for (String order : List.of("a", "b", "c", "d", "e", "f", "g", "r")) {
                send(producer, customer(order, new OpenWallet()));
                if (!order.equals("r")) { // r's wallet stays empty: its payment is declined
                    send(producer, customer(order, new TopUpWallet(20_000L)));
                }
            }
            topics.awaitEvent(BoundedContext.PAYMENTS, "customer-g", "WalletToppedUp");

            // Under version 1, before the payments job stops: a waits for the kitchen, b for a courier, c and d are
            // on their way, f waits for the kitchen until its customer cancels.
            for (String order : List.of("a", "b", "c", "d", "f")) {
                place(producer, order);
                topics.awaitEvent(BoundedContext.KITCHEN, order(order), "TicketOpened");
            }
            for (String order : List.of("b", "c", "d")) {
                prepare(producer, order);
                topics.awaitEvent(BoundedContext.DELIVERY, order(order), "DeliveryRequested");
            }
            for (String order : List.of("c", "d")) {
                send(producer, courier(order, new PickUpDelivery()));
                topics.awaitEvent(BoundedContext.ORDERS, order(order), "OrderDispatched");
            }

            // The payments job stops: e and r wait for their payment, d for its capture, f for its compensation.
            String paymentsSavepoint = fixture.stopThroughFlinkRest(PAYMENTS);
            place(producer, "e");
            place(producer, "r");
            send(producer, courier("d", new CompleteDelivery()));
            send(producer, customer("f", new CancelOrder(CancellationReason.CUSTOMER_REQUEST, "too late")));
            topics.awaitSagaCommand(BoundedContext.PAYMENTS, "customer-e", "AuthorizePayment");
            topics.awaitSagaCommand(BoundedContext.PAYMENTS, "customer-r", "AuthorizePayment");
            topics.awaitSagaCommand(BoundedContext.PAYMENTS, "customer-d", "CapturePayment");
            topics.awaitSagaCommand(BoundedContext.PAYMENTS, "customer-f", "ReleasePayment");

            // The upgrade: judged first, then stop with a savepoint and version 2 from it.
            UpgradePlanner.Plan plan = fixture.platform().planUpgrade(SAGA, sagaV2, Optional.empty());
            String before = fixture.runningJobId(SAGA);
            String after = fixture.platform().upgrade(SAGA, sagaV2, Optional.empty(), false, line -> { });
            fixture.runThroughFlinkRest(PAYMENTS, paymentsSavepoint, 1);

            // Under version 2: g is placed; every order goes on to its end.
            place(producer, "g");
            for (String order : List.of("a", "e", "g")) {
                topics.awaitEvent(BoundedContext.KITCHEN, order(order), "TicketOpened");
                prepare(producer, order);
                topics.awaitEvent(BoundedContext.DELIVERY, order(order), "DeliveryRequested");
            }
            for (String order : List.of("a", "b", "e", "g")) {
                send(producer, courier(order, new PickUpDelivery()));
                topics.awaitEvent(BoundedContext.ORDERS, order(order), "OrderDispatched");
            }
            for (String order : List.of("a", "b", "c", "e", "g")) {
                send(producer, courier(order, new CompleteDelivery()));
            }
            Map<String, String> expected = new TreeMap<>(Map.of("order-a", "OrderCompleted",
                    "order-b", "OrderCompleted", "order-c", "OrderCompleted", "order-d", "OrderCompleted",
                    "order-e", "OrderCompleted", "order-f", "OrderCancelled", "order-g", "OrderCompleted",
                    "order-r", "OrderRejected"));
            await().atMost(PlatformFixture.TIMEOUT).pollInterval(Duration.ofSeconds(1))
                    .until(() -> topics.lastOrderEvents().equals(expected));
            CommittedReader committed = new CommittedReader(fixture.bootstrapServers(), PlatformFixture.TIMEOUT);
            await().atMost(PlatformFixture.TIMEOUT).pollInterval(Duration.ofSeconds(1))
                    .until(() -> PlatformAudit.of(committed).ok());

            Map<String, String> ticketCauses = new TreeMap<>();
            for (String order : List.of("a", "e", "g")) {
                ticketCauses.put(order(order), topics.causeOfTicket(order(order)));
            }
            System.out.println("plan-upgrade of the saga's version 2 (exit " + plan.exitCode() + "): " + plan.lines());
            System.out.println("saga job " + before + " -> " + after + "; last events " + topics.lastOrderEvents());
            System.out.println("what opened each kitchen ticket: " + ticketCauses);

            assertThat(plan.exitCode()).as(String.join("\n", plan.lines())).isZero();
            assertThat(after).isNotEqualTo(before);
            assertThat(fixture.platform().history(SAGA).get(fixture.platform().history(SAGA).size() - 1).action())
                    .isEqualTo("upgraded");
            assertThat(PlatformAudit.of(committed).problems()).isEmpty();
            // Version 1 opens the ticket on the payment's authorization, version 2 on the order's confirmation:
            // e waited for its payment through the upgrade and still ran version 1.
            assertThat(ticketCauses).isEqualTo(Map.of("order-a", "PaymentAuthorized", "order-e", "PaymentAuthorized",
                    "order-g", "OrderConfirmed"));
        }
    }

    private void place(KafkaProducer<String, byte[]> producer, String order) {
        send(producer, CommandEnvelopes.builder(new PlaceOrder("customer-" + order,
                        List.of(new OrderLine("MARGHERITA", PizzaSize.MEDIUM, 2)), ADDRESS, null))
                .setCommandId(id()).setSubjectId(order(order)).setUserId("customer-" + order)
                .setRoles(List.of(Role.CUSTOMER.name())).setCreationTimestamp(Instant.now())
                .setCorrelationId(order(order)).build());
    }

    private void prepare(KafkaProducer<String, byte[]> producer, String order) {
        send(producer, as("carlo", Role.KITCHEN_STAFF, order(order), new StartPreparation()));
        send(producer, as("carlo", Role.KITCHEN_STAFF, order(order), new MarkTicketPrepared()));
    }

    private CommandEnvelope customer(String order, SpecificRecord command) {
        String customer = "customer-" + order;
        return as(customer, Role.CUSTOMER, command instanceof CancelOrder ? order(order) : customer, command);
    }

    private CommandEnvelope courier(String order, SpecificRecord command) {
        return as("courier-1", Role.COURIER, order(order), command);
    }

    private CommandEnvelope as(String user, Role role, String subject, SpecificRecord command) {
        return CommandEnvelopes.builder(command).setCommandId(id()).setSubjectId(subject).setUserId(user)
                .setRoles(List.of(role.name())).setCreationTimestamp(Instant.now()).setCorrelationId(subject).build();
    }

    private String id() {
        return new UUID(random.nextLong(), random.nextLong()).toString();
    }

    private static String order(String order) {
        return "order-" + order;
    }

    private static void send(KafkaProducer<String, byte[]> producer, CommandEnvelope command) {
        String topic = EventCatalog.get().commandType(command.getCommandType()).context().commandsTopic();
        producer.send(new ProducerRecord<>(topic, command.getSubjectId(), COMMANDS.encode(command)));
        producer.flush();
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** What the committed topics say, read anew for each question. */
    private record Topics(String bootstrapServers) {

        void awaitEvent(BoundedContext context, String aggregateId, String eventType) {
            await().atMost(PlatformFixture.TIMEOUT).pollInterval(Duration.ofMillis(500)).until(() -> events(context)
                    .stream().anyMatch(e -> e.getAggregateId().equals(aggregateId)
                            && e.getEventType().equals(eventType)));
        }

        void awaitSagaCommand(BoundedContext context, String subjectId, String commandType) {
            await().atMost(PlatformFixture.TIMEOUT).pollInterval(Duration.ofMillis(500))
                    .until(() -> sagaCommands(context).stream().anyMatch(c -> c.getSubjectId().equals(subjectId)
                            && c.getCommandType().equals(commandType)));
        }

        /** Each order's last event type. */
        Map<String, String> lastOrderEvents() throws UndecodableRecordException {
            Map<String, String> last = new TreeMap<>();
            events(BoundedContext.ORDERS).forEach(event -> last.put(event.getAggregateId(), event.getEventType()));
            return last;
        }

        /** The type of the event that caused the saga's OpenTicket command for an order. */
        String causeOfTicket(String orderId) throws UndecodableRecordException {
            String cause = sagaCommands(BoundedContext.KITCHEN).stream()
                    .filter(c -> c.getSubjectId().equals(orderId) && c.getCommandType().equals("OpenTicket"))
                    .map(CommandEnvelope::getCausationId).findFirst().orElseThrow();
            List<EventEnvelope> all = new ArrayList<>(events(BoundedContext.ORDERS));
            all.addAll(events(BoundedContext.PAYMENTS));
            return all.stream().filter(e -> e.getEventId().equals(cause)).map(EventEnvelope::getEventType)
                    .findFirst().orElse("no event " + cause);
        }

        private List<EventEnvelope> events(BoundedContext context) throws UndecodableRecordException {
            List<EventEnvelope> events = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> record : reader().readAll(List.of(context.eventsTopic()))) {
                events.add(EVENTS.decode(record.value()));
            }
            return events;
        }

        private List<CommandEnvelope> sagaCommands(BoundedContext context) throws UndecodableRecordException {
            List<CommandEnvelope> commands = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> record : reader().readAll(List.of(context.commandsTopic()))) {
                CommandEnvelope command = COMMANDS.decode(record.value());
                if (command.getUserId().equals(OrderFulfilment.NAME)) {
                    commands.add(command);
                }
            }
            return commands;
        }

        private CommittedReader reader() {
            return new CommittedReader(bootstrapServers, PlatformFixture.TIMEOUT);
        }
    }
}
