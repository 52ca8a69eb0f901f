package io.factstream.statetools;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.OperatorTransformation;
import org.apache.flink.state.api.SavepointWriter;
import org.apache.flink.state.api.StateBootstrapTransformation;
import org.apache.flink.state.api.functions.KeyedStateBootstrapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import io.factstream.jobs.aggregate.AggregateProcessor;
import io.factstream.jobs.aggregate.AggregateUids;
import io.factstream.jobs.io.JobInput;
import io.factstream.log.KeyedSnapshot;
import io.factstream.state.AggregateSnapshot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bootstrap}: folds a context's event log (events and rejections) into the aggregate state its job keeps,
 * and writes it as a savepoint for the job's aggregate operator. A job started from it goes on where the log ends:
 * the next event of an aggregate gets the next sequence number, and the command ids the log holds (up to the dedup
 * window) are recognised as duplicates.
 */
@Command(name = "bootstrap", mixinStandardHelpOptions = true,
        description = "Writes a savepoint of an aggregate job's state, folded from the context's events and "
                + "rejections.")
final class BootstrapCommand implements Callable<Integer> {

    @Mixin
    AggregateOptions aggregate;

    @Mixin
    LogInput log;

    @Option(names = "--out", required = true, description = "The savepoint directory to write; must not exist.")
    Path out;

    @Option(names = "--max-parallelism", defaultValue = "128",
            description = "The aggregate job's max parallelism, which the savepoint fixes (default: ${DEFAULT-VALUE}).")
    int maxParallelism;

    @Option(names = "--state-backend", defaultValue = "hashmap",
            description = "Backend the savepoint is written with: hashmap or rocksdb (default: ${DEFAULT-VALUE}).")
    String stateBackend;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (Files.exists(out)) {
            throw new IllegalArgumentException(out + " exists already: give a new savepoint directory");
        }
        JobInput input = log.input();
        StreamExecutionEnvironment env = StateTools.savepointWritingEnvironment();
        DataStream<KeyedSnapshot> snapshots = AggregateLogs.fold(env, input, aggregate.context,
                aggregate.settings(), log.foldUntil(), null);
        StateBootstrapTransformation<KeyedSnapshot> state = OperatorTransformation.bootstrapWith(snapshots)
                .keyBy(KeyedSnapshot::getAggregateId, Types.STRING)
                .transform(new WriteSnapshot());
        SavepointWriter.newSavepoint(env, SavepointOptions.backend(stateBackend), maxParallelism)
                .withOperator(OperatorIdentifier.forUid(new AggregateUids(aggregate.context).processor()), state)
                .write(out.toAbsolutePath().toUri().toString());

        PrintWriter err = spec.commandLine().getErr();
        err.printf("bootstrapping %s aggregates from %s%n", aggregate.context.id(), log.describe());
        WriteSnapshot.WRITTEN.set(0);
        try (Progress progress = new Progress("log records", -1, err, Duration.ofSeconds(2))) {
            env.execute("state-tools bootstrap " + aggregate.context.id());
        }
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.printf("wrote the state of %d %s aggregates to %s; start the %s aggregate job from it (-s), with "
                        + "--from set to where its commands should be read%n", WriteSnapshot.WRITTEN.get(),
                aggregate.context.aggregateType(), out, aggregate.context.id());
        stdout.flush();
        return 0;
    }

    /** Puts each aggregate's snapshot into the value state the aggregate operator reads. */
    static final class WriteSnapshot extends KeyedStateBootstrapFunction<String, KeyedSnapshot> {
        /** The tool runs the job in its own JVM: it counts here. */
        static final AtomicLong WRITTEN = new AtomicLong();

        private transient ValueState<AggregateSnapshot> snapshot;

        @Override
        public void open(OpenContext openContext) {
            snapshot = getRuntimeContext().getState(AggregateProcessor.stateDescriptor());
        }

        @Override
        public void processElement(KeyedSnapshot value, Context context) throws Exception {
            snapshot.update(value.getSnapshot());
            WRITTEN.incrementAndGet();
        }
    }
}
