package io.factstream.statetools;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.OperatorTransformation;
import org.apache.flink.state.api.SavepointWriter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import io.factstream.jobs.aggregate.AggregateUids;
import io.factstream.log.KeyedSnapshot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code migrate}: rewrites the aggregate state in a savepoint with one of the shipped {@link AggregateMigration}s
 * and writes a new savepoint with everything else (sources, sinks, other operators) as it was, so the upgraded job
 * starts from it exactly where the old one stopped.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Rewrites a savepoint's aggregate state for an upgrade that Avro schema evolution cannot "
                + "express; everything else in the savepoint is kept.")
final class MigrateCommand implements Callable<Integer> {

    @Option(names = "--migration", required = true,
            description = "The migration: ${COMPLETION-CANDIDATES}.", completionCandidates = Names.class)
    String migration;

    @Mixin
    SavepointOptions savepoint;

    @Option(names = "--out", required = true, description = "The savepoint directory to write; must not exist.")
    Path out;

    @Spec
    CommandSpec spec;

    /** The names of the shipped migrations, for the help text. */
    static final class Names extends ArrayList<String> {
        Names() {
            super(AggregateMigration.all().stream().map(AggregateMigration::name).toList());
        }
    }

    @Override
    public Integer call() throws Exception {
        AggregateMigration chosen = AggregateMigration.all().stream().filter(m -> m.name().equals(migration))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no migration '" + migration
                        + "'; there are: " + AggregateMigration.all().stream().map(AggregateMigration::name)
                        .collect(Collectors.joining(", "))));
        if (Files.exists(out)) {
            throw new IllegalArgumentException(out + " exists already: give a new savepoint directory");
        }
        StreamExecutionEnvironment env = StateTools.savepointWritingEnvironment();
        OperatorIdentifier aggregates = OperatorIdentifier.forUid(new AggregateUids(chosen.context()).processor());
        DataStream<KeyedSnapshot> migrated = SavepointStates.aggregates(savepoint.reader(env), chosen.context())
                .map(new Migrate(chosen), new AvroTypeInfo<>(KeyedSnapshot.class))
                .name(chosen.name());
        SavepointWriter.fromExistingSavepoint(env, savepoint.savepoint.toAbsolutePath().toUri().toString(),
                        SavepointOptions.backend(savepoint.stateBackend))
                .removeOperator(aggregates)
                .withOperator(aggregates, OperatorTransformation.bootstrapWith(migrated)
                        .keyBy(KeyedSnapshot::getAggregateId, Types.STRING)
                        .transform(new BootstrapCommand.WriteSnapshot()))
                .write(out.toAbsolutePath().toUri().toString());
        BootstrapCommand.WriteSnapshot.WRITTEN.set(0);
        env.execute("state-tools migrate " + chosen.name());

        PrintWriter stdout = spec.commandLine().getOut();
        stdout.printf("%s: migrated %d %s aggregates from %s to %s (%s)%n", chosen.name(),
                BootstrapCommand.WriteSnapshot.WRITTEN.get(), chosen.context().aggregateType(), savepoint.savepoint,
                out, chosen.description());
        stdout.flush();
        return 0;
    }

    /** Applies a migration to each aggregate's snapshot. */
    private static final class Migrate implements MapFunction<KeyedSnapshot, KeyedSnapshot> {
        private final AggregateMigration migration;

        Migrate(AggregateMigration migration) {
            this.migration = migration;
        }

        @Override
        public KeyedSnapshot map(KeyedSnapshot keyed) {
            return new KeyedSnapshot(keyed.getAggregateId(), migration.migrate(keyed.getSnapshot()));
        }
    }
}
