package io.factstream.statetools;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import io.factstream.jobs.io.JobInput;
import io.factstream.log.KeyedSnapshot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code verify}: checks a savepoint of an aggregate job against the context's event log: every aggregate's state,
 * version and remembered command ids must be what its events and rejections fold to. Prints one line per
 * aggregate that differs and exits 1 when any does.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Checks that every aggregate in a savepoint equals the fold of its events and rejections; "
                + "prints each mismatch and exits 1 when there is one.")
final class VerifyCommand implements Callable<Integer> {

    @Mixin
    AggregateOptions aggregate;

    @Mixin
    SavepointOptions savepoint;

    @Mixin
    LogInput log;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        JobInput input = log.input();
        StreamExecutionEnvironment env = StateTools.batchEnvironment();
        DataStream<KeyedSnapshot> saved = SavepointStates.aggregates(savepoint.reader(env), aggregate.context);
        DataStream<KeyedSnapshot> folded = AggregateLogs.fold(env, input, aggregate.context, aggregate.settings(),
                log.foldUntil(), null);
        DataStream<String> mismatches = saved.connect(folded)
                .keyBy(KeyedSnapshot::getAggregateId, KeyedSnapshot::getAggregateId, Types.STRING)
                .process(new SnapshotComparison(), Types.STRING)
                .name("compare");

        spec.commandLine().getErr().printf("verifying %s against the %s log at %s%n", savepoint.savepoint,
                aggregate.context.id(), log.describe());
        SnapshotComparison.COMPARED.set(0);
        long found = StateTools.printLines(mismatches, "state-tools verify", spec, true);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%d of %d %s aggregates differ from their log%n", found, SnapshotComparison.COMPARED.get(),
                aggregate.context.aggregateType());
        out.flush();
        return found == 0 ? 0 : StateTools.EXIT_NO;
    }
}
