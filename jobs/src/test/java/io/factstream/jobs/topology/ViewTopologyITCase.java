package io.factstream.jobs.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Either;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.EventEnvelope;
import io.factstream.domain.Views;
import io.factstream.jobs.CommandMix;
import io.factstream.jobs.ExpectedOutcomes;
import io.factstream.jobs.FlinkTestCluster;
import io.factstream.kernel.aggregate.AggregateSettings;
import io.factstream.kernel.view.ViewDefinition;
import io.factstream.log.DeadLetter;
import io.factstream.views.ViewRow;

/**
 * The view topology in memory, live and as a backfill, over the registered views: the events of three contexts in,
 * from a collection, with a record that does not decode; out, for every view, versions 1, 2, 3, ... per row whose
 * last one is the row the pure fold of the events gives, and the dead letter.
 */
class ViewTopologyITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    private static final DeadLetter UNDECODABLE = DeadLetter.newBuilder().setSourceTopic("kitchen.events")
            .setSourcePartition(1).setSourceOffset(3L).setSourceTimestamp(Instant.parse("2026-11-26T12:00:00Z"))
            .setKey(null).setValue(null).setReason("no value (null) where a EventEnvelope was expected")
            .setErrorType("NO_VALUE").build();

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RuntimeExecutionMode.class, names = {"STREAMING", "BATCH"})
    void everyViewEndsWithTheRowsTheEventsFoldTo(RuntimeExecutionMode mode) throws Exception {
        List<EventEnvelope> events = new ArrayList<>();
        for (BoundedContext context : List.of(BoundedContext.ORDERS, BoundedContext.PAYMENTS, BoundedContext.KITCHEN)) {
            CommandMix mix = CommandMix.generate(context, 27L + context.ordinal(), 20);
            events.addAll(ExpectedOutcomes.ofSends(context, mix.sends(), AggregateSettings.standard()).events());
        }
        List<Either<DeadLetter, EventEnvelope>> records = new ArrayList<>();
        events.forEach(event -> records.add(Either.Right(event)));
        records.add(Either.Left(UNDECODABLE));

        StreamExecutionEnvironment env = InMemory.environment(mode);
        ViewTopology.Outputs outputs = new ViewTopology(Views.all()).apply(env.fromData(records,
                        new EitherTypeInfo<>(new AvroTypeInfo<>(DeadLetter.class), new AvroTypeInfo<>(EventEnvelope.class)))
                .assignTimestampsAndWatermarks(ViewTopology.SEQUENCE_ORDER), null);
        InMemory.Collected<ViewRow> rows = InMemory.collect(outputs.rows());
        InMemory.Collected<DeadLetter> deadLetters = InMemory.collect(outputs.deadLetters());
        env.execute("view topology in memory, " + mode);

        List<ViewRow> versions = rows.get();
        for (ViewDefinition<?> view : Views.all()) {
            Map<String, List<ViewRow>> history = new TreeMap<>();
            versions.stream().filter(v -> v.getView().equals(view.name()))
                    .forEach(v -> history.computeIfAbsent(v.getKey(), key -> new ArrayList<>()).add(v));
            Map<String, SpecificRecord> latest = new TreeMap<>();
            history.forEach((key, ofKey) -> {
                assertThat(ofKey).extracting(ViewRow::getVersion).as("%s %s", view.name(), key)
                        .isEqualTo(ofKey.stream().map(v -> (long) ofKey.indexOf(v) + 1).toList());
                ViewRow last = ofKey.get(ofKey.size() - 1);
                if (last.getRow() != null) {
                    latest.put(key, (SpecificRecord) last.getRow());
                }
            });
            assertThat(history).as("rows of %s", view.name()).isNotEmpty();
            assertThat(latest).as("rows of %s", view.name()).isEqualTo(new TreeMap<>(view.fold(events)));
        }
        assertThat(deadLetters.get()).containsExactly(UNDECODABLE);
    }
}
