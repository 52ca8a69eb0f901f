package io.factstream.statetools;

import java.util.List;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.types.Either;

import io.factstream.catalog.BoundedContext;
import io.factstream.domain.Deciders;
import io.factstream.jobs.io.JobInput;
import io.factstream.jobs.topology.DeadLetterRouter;
import io.factstream.kernel.aggregate.AggregateSettings;
import io.factstream.log.AggregateLogEntry;
import io.factstream.log.DeadLetter;
import io.factstream.log.KeyedSnapshot;

/** A context's aggregate log as a Flink batch pipeline: read, put in log order, folded per aggregate. */
final class AggregateLogs {

    static final String SOURCE_UID = "state-tools-log";

    private AggregateLogs() {
    }

    /**
     * The snapshot of every aggregate of the context after its log (undecodable records are left out and counted).
     *
     * @param start snapshots to start from (from a savepoint), or null to fold the log from its first entry
     * @param asOf  where the fold stops, in epoch milliseconds of creation time; {@code Long.MAX_VALUE}: never
     */
    static DataStream<KeyedSnapshot> fold(StreamExecutionEnvironment env, JobInput input, BoundedContext context,
                                          AggregateSettings settings, long asOf, DataStream<KeyedSnapshot> start) {
        WatermarkStrategy<Either<DeadLetter, AggregateLogEntry>> logOrder = WatermarkStrategy
                .<Either<DeadLetter, AggregateLogEntry>>noWatermarks()
                .withTimestampAssigner((record, kafkaTime) ->
                        record.isRight() ? AggregateLogFold.logPosition(record.right()) : kafkaTime);
        AvroTypeInfo<AggregateLogEntry> entryType = new AvroTypeInfo<>(AggregateLogEntry.class);
        SingleOutputStreamOperator<AggregateLogEntry> decoded = input
                .read(env, new AggregateLogDecoder(), List.of(context.eventsTopic(), context.rejectionsTopic()),
                        logOrder, SOURCE_UID)
                .map(new Progress.Counted<>(), new AggregateLogDecoder().getProducedType())
                .name("progress")
                .process(new DeadLetterRouter<AggregateLogEntry>(), entryType)
                .name("decode");
        decoded.getSideOutput(DeadLetterRouter.DEAD_LETTERS)
                .flatMap(new Progress.Undecodable<>(), new AvroTypeInfo<>(DeadLetter.class))
                .sinkTo(new DiscardingSink<>());
        DataStream<AggregateLogEntry> entries = decoded;
        if (start != null) {
            entries = entries.union(start
                    .map(s -> new AggregateLogEntry(s.getAggregateId(), -1L, s.getSnapshot()), entryType)
                    .name("start from savepoint")
                    .assignTimestampsAndWatermarks(WatermarkStrategy.<AggregateLogEntry>noWatermarks()
                            .withTimestampAssigner((entry, ignored) -> AggregateLogFold.logPosition(entry))));
        }
        return entries
                .keyBy(AggregateLogEntry::getAggregateId, Types.STRING)
                .process(new AggregateLogFold(() -> Deciders.forContext(context), settings, asOf),
                        new AvroTypeInfo<>(KeyedSnapshot.class))
                .name("fold " + context.aggregateType() + " log");
    }
}
