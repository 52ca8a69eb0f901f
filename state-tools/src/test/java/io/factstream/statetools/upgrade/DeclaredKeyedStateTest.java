package io.factstream.statetools.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.types.Either;
import org.junit.jupiter.api.Test;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.domain.Deciders;
import io.factstream.domain.Views;
import io.factstream.domain.fulfilment.OrderFulfilment;
import io.factstream.jobs.aggregate.AggregateProcessor;
import io.factstream.jobs.saga.SagaProcessor;
import io.factstream.jobs.state.DeclaresKeyedState;
import io.factstream.jobs.view.KeyLookupProcessor;
import io.factstream.jobs.view.ViewProcessor;
import io.factstream.kernel.aggregate.AggregateSettings;
import io.factstream.log.RedriveRequest;
import io.factstream.views.ViewInput;

/**
 * Each keyed function of the jobs registers, once open, exactly the keyed states it declares, as a snapshot of it
 * lists them: what {@code plan-upgrade} judges a new jar by is what that jar's savepoints will hold.
 */
class DeclaredKeyedStateTest {

    @Test
    void theAggregateProcessor() throws Exception {
        AggregateProcessor<?> processor = new AggregateProcessor<>(() -> Deciders.forContext(BoundedContext.ORDERS),
                AggregateSettings.standard());
        assertRegistersWhatItDeclares(processor, new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(processor), logged -> logged.getCommand().getSubjectId(), Types.STRING));
    }

    @Test
    void theSagaProcessor() throws Exception {
        SagaProcessor<?> processor = new SagaProcessor<>(
                () -> new OrderFulfilment(OrderFulfilment.Timeouts.standard()));
        assertRegistersWhatItDeclares(processor, new KeyedTwoInputStreamOperatorTestHarness<>(
                new KeyedCoProcessOperator<>(processor), (Either<EventEnvelope, CommandRejected> in) ->
                in.isLeft() ? in.left().getCorrelationId() : in.right().getCorrelationId(),
                RedriveRequest::getKey, Types.STRING));
    }

    @Test
    void theViewProcessorAndTheKeyLookup() throws Exception {
        ViewProcessor<?> view = new ViewProcessor<>(Views.CUSTOMER_ORDERS);
        assertRegistersWhatItDeclares(view, new KeyedTwoInputStreamOperatorTestHarness<>(
                new KeyedCoProcessOperator<>(view), ViewInput::getKey, RedriveRequest::getKey, Types.STRING));

        KeyLookupProcessor lookup = new KeyLookupProcessor(Views.CUSTOMER_ORDERS.lookup().orElseThrow());
        assertRegistersWhatItDeclares(lookup, new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(lookup), EventEnvelope::getAggregateId, Types.STRING));
    }

    private static void assertRegistersWhatItDeclares(DeclaresKeyedState function,
                                                      AbstractStreamOperatorTestHarness<?> harness) throws Exception {
        try (harness) {
            harness.open();
            OperatorSubtaskState snapshot = harness.snapshot(1, 1);
            List<String> registered = SavepointLayout.keyedStates(snapshot.getManagedKeyedState().iterator().next(),
                            DeclaredKeyedStateTest.class.getClassLoader()).stream()
                    .filter(state -> !state.timers()).map(SavepointLayout.KeyedState::name).toList();

            assertThat(registered).containsExactlyInAnyOrderElementsOf(
                    function.keyedStates().stream().map(StateDescriptor::getName).toList());
        }
    }
}
