package io.factstream.kernel.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.Consumer;

import org.apache.avro.specific.SpecificRecord;

import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.RejectionReason;
import io.factstream.kernel.aggregate.AggregateSettings;
import io.factstream.state.AggregateSnapshot;

/**
 * Given-when-then tests of a decider, without Flink, through the same {@link CommandHandler} the job uses (so the
 * catalog's role checks and the stamping apply):
 *
 * <pre>{@code
 * orders.given(placed).when(saga().sends(new ConfirmOrder(2600L))).thenEvents(new OrderConfirmed(2600L));
 * orders.given().when(courier("x").sends(place)).thenRejected(UNAUTHORIZED, "needs one of the roles");
 * }</pre>
 *
 * @param <S> the aggregate's state record
 */
public final class DeciderFixture<S extends SpecificRecord> {

    private final CommandHandler<S> handler;
    private final String aggregateId;

    private DeciderFixture(Decider<S> decider, String aggregateId) {
        this.handler = new CommandHandler<>(decider, AggregateSettings.standard());
        this.aggregateId = aggregateId;
    }

    /** A fixture for the aggregate with this id. */
    public static <S extends SpecificRecord> DeciderFixture<S> of(Decider<S> decider, String aggregateId) {
        return new DeciderFixture<>(decider, aggregateId);
    }

    /** The aggregate's history: these events, in order (none: the aggregate does not exist). */
    public When given(SpecificRecord... history) {
        AggregateSnapshot snapshot = null;
        for (int i = 0; i < history.length; i++) {
            EventEnvelope event = EventEnvelope.newBuilder()
                    .setEventId(TestCommands.id("given-event-" + i))
                    .setAggregateId(aggregateId)
                    .setSequenceNumber(i + 1)
                    .setCreationTimestamp(TestCommands.CREATED)
                    .setCorrelationId(aggregateId)
                    .setEventType(history[i].getSchema().getName())
                    .setAggregateType(handler.context().aggregateType())
                    .setCausationId(TestCommands.id("given-command-" + i))
                    .setUserId("history")
                    .setSchemaVersion(1)
                    .setEventData(history[i])
                    .build();
            snapshot = handler.apply(snapshot, event);
        }
        return new When(snapshot);
    }

    /** The step after the history: one command. */
    public final class When {
        private final AggregateSnapshot snapshot;

        private When(AggregateSnapshot snapshot) {
            this.snapshot = snapshot;
        }

        public Then when(Sender.TestCommand command) {
            return when(envelope(command));
        }

        /** A raw envelope, for tests of the envelope checks. */
        public Then when(CommandEnvelope command) {
            return new Then(command, handler.handle(snapshot, command, command.getCreationTimestamp()), snapshot);
        }

        /** The envelope the fixture makes of a test command. */
        public CommandEnvelope envelope(Sender.TestCommand command) {
            return CommandEnvelope.newBuilder(TestCommands.command("command-" + command.data(), aggregateId,
                            command.sender(), command.data()))
                    .setExpectedVersion(command.expectedVersion())
                    .build();
        }
    }

    /** What the command did. */
    public final class Then {
        private final CommandEnvelope command;
        private final CommandOutcome outcome;
        private final AggregateSnapshot before;

        private Then(CommandEnvelope command, CommandOutcome outcome, AggregateSnapshot before) {
            this.command = command;
            this.outcome = outcome;
            this.before = before;
        }

        /** The command was accepted with exactly these events, stamped as the next of the stream. */
        public Then thenEvents(SpecificRecord... expected) {
            assertThat(outcome).as("outcome of %s", command.getCommandType())
                    .isInstanceOf(CommandOutcome.Accepted.class);
            List<EventEnvelope> events = ((CommandOutcome.Accepted) outcome).events();
            assertThat(events).extracting(EventEnvelope::getEventData).containsExactly((Object[]) expected);
            long version = before == null ? 0 : before.getVersion();
            for (EventEnvelope event : events) {
                assertThat(event.getSequenceNumber()).isEqualTo(++version);
                assertThat(event.getCausationId()).isEqualTo(command.getCommandId());
                assertThat(event.getEventType()).isEqualTo(event.getEventData().getClass().getSimpleName());
            }
            return this;
        }

        /** The command was rejected for this reason, with a message containing the fragment. */
        public Then thenRejected(RejectionReason reason, String messageFragment) {
            assertThat(outcome).as("outcome of %s", command.getCommandType())
                    .isInstanceOf(CommandOutcome.Rejected.class);
            var rejection = ((CommandOutcome.Rejected) outcome).rejection();
            assertThat(rejection.getReason()).as(rejection.getMessage()).isEqualTo(reason);
            assertThat(rejection.getMessage()).contains(messageFragment);
            assertThat(rejection.getCommandId()).isEqualTo(command.getCommandId());
            return this;
        }

        /** The aggregate's state afterwards satisfies the assertions. */
        public Then thenState(Consumer<S> assertions) {
            AggregateSnapshot after = outcome instanceof CommandOutcome.Accepted a ? a.snapshot()
                    : ((CommandOutcome.Rejected) outcome).snapshot();
            assertions.accept(handler.state(after));
            return this;
        }
    }
}
