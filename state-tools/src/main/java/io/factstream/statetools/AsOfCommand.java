package io.factstream.statetools;

import java.time.Instant;
import java.util.concurrent.Callable;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import io.factstream.jobs.io.JobInput;
import io.factstream.log.KeyedSnapshot;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code as-of}: aggregates as they were at a time, folded from the log: each aggregate's events and rejections in
 * log order, up to the first one created after that time (business time, the {@code creationTimestamp}). It may
 * start from a savepoint and fold only the log after it.
 */
@Command(name = "as-of", mixinStandardHelpOptions = true,
        description = "Prints aggregates as they were at a time, folded from their log (optionally from a "
                + "savepoint on), as JSON, one per line.")
final class AsOfCommand implements Callable<Integer> {

    @Mixin
    AggregateOptions aggregate;

    @Option(names = "--at", required = true,
            description = "The time, ISO-8601, e.g. 2026-11-26T09:00:00Z: the state after every entry of the log "
                    + "up to the first one created after it.")
    Instant at;

    @Option(names = "--aggregate", description = "Only this aggregate id.")
    String aggregateId;

    @ArgGroup(exclusive = false, heading = "Start from a savepoint (then --from can skip the log before it):%n")
    SavepointOptions start;

    @Mixin
    LogInput log;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        JobInput input = log.input();
        StreamExecutionEnvironment env = StateTools.batchEnvironment();
        DataStream<KeyedSnapshot> saved = start == null ? null
                : SavepointStates.aggregates(start.reader(env), aggregate.context);
        DataStream<KeyedSnapshot> folded = AggregateLogs.fold(env, input, aggregate.context, aggregate.settings(),
                Math.min(at.toEpochMilli(), log.foldUntil()), saved);
        if (aggregateId != null) {
            String wanted = aggregateId;
            folded = folded.filter(snapshot -> snapshot.getAggregateId().equals(wanted)).name(aggregateId);
        }
        DataStream<String> lines = folded
                .map(snapshot -> SavepointStates.json(snapshot.getAggregateId(), snapshot.getSnapshot()), Types.STRING)
                .name("json");

        spec.commandLine().getErr().printf("folding the %s log at %s as of %s%n", aggregate.context.id(),
                log.describe(), at);
        long printed = StateTools.printLines(lines, "state-tools as-of", spec, true);
        if (aggregateId != null && printed == 0) {
            spec.commandLine().getErr().println("as-of: " + aggregateId + " did not exist at " + at);
            return StateTools.EXIT_NO;
        }
        return 0;
    }
}
