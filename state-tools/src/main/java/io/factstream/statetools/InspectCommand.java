package io.factstream.statetools;

import java.util.concurrent.Callable;

import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import io.factstream.catalog.BoundedContext;
import io.factstream.domain.fulfilment.OrderFulfilment;
import io.factstream.jobs.aggregate.AggregateProcessor;
import io.factstream.jobs.aggregate.AggregateUids;
import io.factstream.jobs.saga.SagaProcessor;
import io.factstream.jobs.saga.SagaUids;
import io.factstream.jobs.view.ViewProcessor;
import io.factstream.jobs.view.ViewUids;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code inspect}: the state of a factstream job in a savepoint, as JSON, one key per line. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Prints the aggregate, saga or view state in a savepoint as JSON, one key per line: "
                + "{\"key\": ..., \"state\": ...}.")
final class InspectCommand implements Callable<Integer> {

    /** Whose state. */
    static final class Which {
        @Option(names = "--aggregate", paramLabel = "CONTEXT",
                description = "The aggregates of a context's job: orders, payments, kitchen or delivery.")
        BoundedContext context;

        @Option(names = "--saga", description = "The order-fulfilment sagas.")
        boolean saga;

        @Option(names = "--view", paramLabel = "VIEW",
                description = "The rows of a view: order-status, customer-orders or kitchen-queue.")
        String view;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;

    @Mixin
    SavepointOptions savepoint;

    @Option(names = "--key", description = "Only this key (aggregate id, saga id or row key).")
    String key;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        StreamExecutionEnvironment env = StateTools.batchEnvironment();
        SavepointReader reader = savepoint.reader(env);
        DataStream<String> states = which.context != null
                ? SavepointStates.asJson(reader, new AggregateUids(which.context).processor(),
                        AggregateProcessor.stateDescriptor(), key)
                : which.saga
                ? SavepointStates.asJson(reader, new SagaUids(OrderFulfilment.NAME).processor(),
                        SagaProcessor.stateDescriptor(), key)
                : SavepointStates.asJson(reader, ViewUids.processor(which.view), ViewProcessor.stateDescriptor(), key);
        long printed = StateTools.printLines(states, "state-tools inspect", spec, false);
        if (key != null && printed == 0) {
            spec.commandLine().getErr().println("inspect: no state for key " + key);
            return StateTools.EXIT_NO;
        }
        return 0;
    }
}
