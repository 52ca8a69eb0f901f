package io.factstream.domain;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

import io.factstream.catalog.Address;
import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.OrderLine;
import io.factstream.catalog.PizzaSize;
import io.factstream.catalog.RejectionReason;
import io.factstream.catalog.orders.CancelOrder;
import io.factstream.catalog.orders.CancellationReason;
import io.factstream.catalog.orders.OrderCancelled;
import io.factstream.catalog.orders.PlaceOrder;
import io.factstream.catalog.payments.OpenWallet;
import io.factstream.domain.orders.OrderDecider;
import io.factstream.domain.shared.Menu;
import io.factstream.kernel.aggregate.AggregateSettings;
import io.factstream.kernel.aggregate.CommandHandler;
import io.factstream.kernel.aggregate.CommandOutcome;
import io.factstream.kernel.aggregate.Decider;
import io.factstream.kernel.aggregate.Decision;
import io.factstream.kernel.aggregate.Sender;
import io.factstream.kernel.aggregate.TestCommands;
import io.factstream.state.AggregateSnapshot;
import io.factstream.state.OrderState;

/** The checks and stamping every aggregate gets from the handler, shown with the Order aggregate. */
class CommandHandlerTest {

    private static final PlaceOrder PLACE = new PlaceOrder("ada",
            List.of(new OrderLine("MARINARA", PizzaSize.SMALL, 1)), new Address("Via Roma 1", "Napoli", "80100"), null);
    private static final CancelOrder CANCEL = new CancelOrder(CancellationReason.CUSTOMER_REQUEST, null);

    /** Commands are written to Kafka when they are created, unless a test says otherwise. */
    private static final Instant WRITTEN = TestCommands.CREATED;

    private final CommandHandler<OrderState> handler = new CommandHandler<>(new OrderDecider(Menu.standard()), AggregateSettings.standard());

    @Test
    void stampsEventsDeterministicallyFromTheCommand() {
        CommandEnvelope place = command("c-1", PLACE);

        EventEnvelope event = accepted(handler.handle(null, place, WRITTEN)).events().get(0);
        EventEnvelope again = accepted(new CommandHandler<>(new OrderDecider(Menu.standard()), AggregateSettings.standard())
                .handle(null, place, WRITTEN)).events().get(0);

        assertThat(again).isEqualTo(event);
        assertThat(event.getEventId()).isEqualTo(UUID.nameUUIDFromBytes(
                ("Order/order-1/" + place.getCommandId() + "/0").getBytes(UTF_8)).toString());
        assertThat(event.getSequenceNumber()).isEqualTo(1L);
        assertThat(event.getCreationTimestamp()).isEqualTo(TestCommands.CREATED);
        assertThat(event.getCausationId()).isEqualTo(place.getCommandId());
        assertThat(event.getCorrelationId()).isEqualTo("order-1");
        assertThat(event.getUserId()).isEqualTo("ada");
        assertThat(event.getAggregateType()).isEqualTo("Order");
        assertThat(event.getEventType()).isEqualTo("OrderPlaced");
        assertThat(event.getSchemaVersion()).as("OrderPlaced is at version 2 of the catalog").isEqualTo(2);
    }

    @Test
    void continuesTheSequenceFromTheSnapshot() {
        AggregateSnapshot placed = accepted(handler.handle(null, command("c-1", PLACE), WRITTEN)).snapshot();

        CommandOutcome.Accepted cancelled = accepted(handler.handle(placed, command("c-2", CANCEL), WRITTEN));

        assertThat(cancelled.events()).extracting(EventEnvelope::getSequenceNumber).containsExactly(2L);
        assertThat(cancelled.snapshot().getVersion()).isEqualTo(2L);
        assertThat(cancelled.snapshot().getRecentCommandIds()).containsExactly(id("c-1"), id("c-2"));
    }

    @Test
    void answersAResentCommandNeverAgain() {
        AggregateSnapshot placed = accepted(handler.handle(null, command("c-1", PLACE), WRITTEN)).snapshot();
        assertThat(handler.handle(placed, command("c-1", PLACE), WRITTEN)).isInstanceOf(CommandOutcome.Duplicate.class);

        CommandOutcome rejected = handler.handle(placed, command("c-2", PLACE), WRITTEN);
        assertThat(rejected).isInstanceOf(CommandOutcome.Rejected.class);
        AggregateSnapshot afterRejection = ((CommandOutcome.Rejected) rejected).snapshot();
        assertThat(afterRejection.getVersion()).as("a rejection changes no version").isEqualTo(1L);
        assertThat(handler.handle(afterRejection, command("c-2", PLACE), WRITTEN))
                .as("a rejected command resent gets no second rejection")
                .isInstanceOf(CommandOutcome.Duplicate.class);
    }

    @Test
    void rejectsACommandKeyedOtherwiseThanByItsSubjectAndRemembersItsId() {
        CommandOutcome misrouted = handler.handle(null, command("c-1", PLACE), WRITTEN, "order-2");
        CommandOutcome unkeyed = handler.handle(null, command("c-2", PLACE), WRITTEN, null);

        assertRejected(misrouted, RejectionReason.INVALID_COMMAND, "the record is keyed 'order-2': an aggregate's "
                + "commands are keyed by their subjectId 'order-1', so that they share its partition and its order");
        assertRejected(unkeyed, RejectionReason.INVALID_COMMAND, "the record has no key: an aggregate's commands are "
                + "keyed by their subjectId 'order-1', so that they share its partition and its order");
        assertThat(handler.handle(((CommandOutcome.Rejected) misrouted).snapshot(), command("c-1", PLACE), WRITTEN))
                .as("the same command, keyed right this time, was answered already")
                .isInstanceOf(CommandOutcome.Duplicate.class);
    }

    @Test
    void aHandledCommandResentUnderAnotherKeyIsStillADuplicate() {
        AggregateSnapshot placed = accepted(handler.handle(null, command("c-1", PLACE), WRITTEN)).snapshot();

        assertThat(handler.handle(placed, command("c-1", PLACE), WRITTEN, "order-2"))
                .isInstanceOf(CommandOutcome.Duplicate.class);
    }

    @Test
    void remembersOnlyTheDedupWindow() {
        CommandHandler<OrderState> forgetful = new CommandHandler<>(new OrderDecider(Menu.standard()), AggregateSettings.standard().withDedupWindow(2));
        AggregateSnapshot snapshot = accepted(forgetful.handle(null, command("c-1", PLACE), WRITTEN)).snapshot();
        snapshot = ((CommandOutcome.Rejected) forgetful.handle(snapshot, command("c-2", PLACE), WRITTEN)).snapshot();
        snapshot = ((CommandOutcome.Rejected) forgetful.handle(snapshot, command("c-3", PLACE), WRITTEN)).snapshot();

        assertThat(snapshot.getRecentCommandIds()).containsExactly(id("c-2"), id("c-3"));
        assertThat(forgetful.handle(snapshot, command("c-1", PLACE), WRITTEN)).isInstanceOf(CommandOutcome.Rejected.class);
    }

    @Test
    void rejectsAConflictingExpectedVersion() {
        AggregateSnapshot placed = accepted(handler.handle(null, command("c-1", PLACE), WRITTEN)).snapshot();

        assertRejected(handler.handle(placed, withExpectedVersion(command("c-2", CANCEL), 0L), WRITTEN),
                RejectionReason.CONCURRENCY_CONFLICT, "expected version 0 but Order order-1 is at version 1");
        assertThat(handler.handle(placed, withExpectedVersion(command("c-3", CANCEL), 1L), WRITTEN))
                .isInstanceOf(CommandOutcome.Accepted.class);
    }

    @Test
    void rejectsEnvelopesThatContradictThemselvesOrTheCatalog() {
        assertRejected(handler.handle(null, command("c-1", new OpenWallet()), WRITTEN), RejectionReason.INVALID_COMMAND,
                "OpenWallet is a command of the payments context, not of orders");
        assertRejected(handler.handle(null, CommandEnvelope.newBuilder(command("c-2", PLACE))
                        .setCommandType("CancelOrder").build(), WRITTEN), RejectionReason.INVALID_COMMAND,
                "commandType says CancelOrder but the command data is a PlaceOrder");
        assertRejected(handler.handle(null, CommandEnvelope.newBuilder(command("c-3", PLACE))
                        .setAggregateType("Wallet").build(), WRITTEN), RejectionReason.INVALID_COMMAND,
                "aggregateType says Wallet but orders commands address Order aggregates");
        assertRejected(handler.handle(null, CommandEnvelope.newBuilder(command("c-4", PLACE))
                        .setCommandId("42").build(), WRITTEN), RejectionReason.INVALID_COMMAND,
                "commandId '42' is not a UUID");
        assertRejected(handler.handle(null, CommandEnvelope.newBuilder(command("c-5", PLACE))
                        .setCorrelationId(" ").build(), WRITTEN), RejectionReason.INVALID_COMMAND, "correlationId is blank");
        assertRejected(handler.handle(null, CommandEnvelope.newBuilder(command("c-6", PLACE))
                        .setRoles(List.of()).build(), WRITTEN), RejectionReason.UNAUTHORIZED,
                "PlaceOrder needs one of the roles [CUSTOMER]; user ada has []");
    }

    @Test
    void rejectsACreationTimeTooFarFromTheTimeTheCommandWasWritten() {
        assertRejected(handler.handle(null, command("c-1", PLACE), WRITTEN.plus(Duration.ofMinutes(6))),
                RejectionReason.INVALID_COMMAND, "creationTimestamp 2026-11-26T12:00:00Z is 360 s from "
                        + "2026-11-26T12:06:00Z, when the command was written; at most 300 s are allowed");
        assertThat(handler.handle(null, command("c-2", PLACE), WRITTEN.minus(Duration.ofMinutes(5))))
                .isInstanceOf(CommandOutcome.Accepted.class);
    }

    @Test
    void datesARejectionByItsCommandUnlessTheCommandsTimeIsNotBelieved() {
        Instant farAhead = WRITTEN.plus(Duration.ofDays(365));
        CommandOutcome dreamt = handler.handle(null, CommandEnvelope.newBuilder(command("c-1", PLACE))
                .setCreationTimestamp(farAhead).build(), WRITTEN);
        CommandOutcome conflicting = handler.handle(null, withExpectedVersion(command("c-2", PLACE), 3),
                WRITTEN.minus(Duration.ofMinutes(4)));

        assertThat(((CommandOutcome.Rejected) dreamt).rejection().getCreationTimestamp())
                .as("a year ahead: dated when it was written").isEqualTo(WRITTEN);
        assertThat(((CommandOutcome.Rejected) conflicting).rejection().getCreationTimestamp())
                .as("four minutes ahead: dated by the command").isEqualTo(TestCommands.CREATED);
    }

    @Test
    void allowsNoClockSkewTheBrokerWouldNotStampRecordsWith() {
        assertThatThrownBy(() -> new AggregateSettings(10, Duration.ofMinutes(31)))
                .hasMessage("the allowed clock skew PT31M is not within 0 and PT30M: the broker refuses records dated "
                        + "too far in its future");
    }

    @Test
    void refusesADeciderThatAnswersWithAnEventTheCatalogDoesNotAllow() {
        Decider<OrderState> wrong = new Decider<>() {
            @Override
            public BoundedContext context() {
                return BoundedContext.ORDERS;
            }

            @Override
            public Decision decide(CommandEnvelope command, OrderState state) {
                return Decision.accept(new OrderCancelled(CancellationReason.CUSTOMER_REQUEST, null));
            }

            @Override
            public OrderState evolve(OrderState state, SpecificRecord event) {
                return state;
            }
        };

        assertThatThrownBy(() -> new CommandHandler<>(wrong, AggregateSettings.standard().withDedupWindow(10)).handle(null, command("c-1", PLACE), WRITTEN))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("answered PlaceOrder with OrderCancelled");
    }

    @Test
    void foldsAnEventLogAndRefusesGaps() {
        List<EventEnvelope> placed = accepted(handler.handle(null, command("c-1", PLACE), WRITTEN)).events();
        AggregateSnapshot folded = handler.apply(null, placed.get(0));

        assertThat(folded.getVersion()).isEqualTo(1L);
        assertThat(folded.getRecentCommandIds()).containsExactly(id("c-1"));
        assertThat(handler.handle(folded, command("c-1", PLACE), WRITTEN)).isInstanceOf(CommandOutcome.Duplicate.class);
        assertThatThrownBy(() -> handler.apply(folded, placed.get(0)))
                .hasMessageContaining("has sequence number 1 after version 1");
    }

    @Test
    void foldingTheLogRebuildsTheSnapshotTheHandlerKept() {
        CommandOutcome placed = handler.handle(null, command("c-1", PLACE), WRITTEN);
        AggregateSnapshot live = accepted(placed).snapshot();
        CommandOutcome.Rejected conflict = (CommandOutcome.Rejected) handler.handle(live,
                CommandEnvelope.newBuilder(command("c-2", CANCEL)).setExpectedVersion(5L).build(), WRITTEN);
        CommandOutcome cancelled = handler.handle(conflict.snapshot(), command("c-3", CANCEL), WRITTEN);

        AggregateSnapshot folded = handler.apply(null, accepted(placed).events().get(0));
        folded = handler.apply(folded, conflict.rejection());
        folded = handler.apply(folded, accepted(cancelled).events().get(0));

        assertThat(folded).isEqualTo(accepted(cancelled).snapshot());
        assertThatThrownBy(() -> handler.apply(null, conflict.rejection()))
                .hasMessageContaining("was made at version 1, not at version 0");
    }

    private static CommandOutcome.Accepted accepted(CommandOutcome outcome) {
        assertThat(outcome).isInstanceOf(CommandOutcome.Accepted.class);
        return (CommandOutcome.Accepted) outcome;
    }

    private static void assertRejected(CommandOutcome outcome, RejectionReason reason, String message) {
        assertThat(outcome).isInstanceOf(CommandOutcome.Rejected.class);
        var rejection = ((CommandOutcome.Rejected) outcome).rejection();
        assertThat(rejection.getReason()).isEqualTo(reason);
        assertThat(rejection.getMessage()).isEqualTo(message);
    }

    private static CommandEnvelope withExpectedVersion(CommandEnvelope command, long version) {
        return CommandEnvelope.newBuilder(command).setExpectedVersion(version).build();
    }

    private static String id(String name) {
        return TestCommands.id(name);
    }

    private static CommandEnvelope command(String name, SpecificRecord data) {
        return TestCommands.command(name, "order-1", Sender.customer("ada"), data);
    }
}
