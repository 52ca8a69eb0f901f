package io.factstream.jobs.topology;

import java.util.List;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;

import io.factstream.catalog.EventEnvelope;
import io.factstream.jobs.view.KeyLookupProcessor;
import io.factstream.jobs.view.ViewProcessor;
import io.factstream.jobs.view.ViewUids;
import io.factstream.kernel.view.KeyLookup;
import io.factstream.kernel.view.RowKey;
import io.factstream.kernel.view.ViewDefinition;
import io.factstream.log.DeadLetter;
import io.factstream.views.ViewInput;
import io.factstream.views.ViewRow;

/**
 * The dataflow of the view job, apart from where its records come from and go to: decoded events of every context
 * in; the versions of every registered view's rows, and dead letters, out.
 *
 * <pre>
 * events or dead letters ─► route ─┬─► keys of view 1 ──────────────────┬─► rows of view 1 ─┐
 *                                  │                                    │                   ├─► row versions
 *                                  ├─► lookup of view 1 (if any) ───────┘                   │
 *                                  └─► keys of view 2 ... ─────────────────► rows of view 2 ┘
 * </pre>
 *
 * <p>Events are timed by their sequence number ({@link #SEQUENCE_ORDER}): a batch run, which sorts each key's inputs
 * by time, then sees each aggregate's events in order, as the live job does, and a rebuild or a backfill ends with
 * the rows the live job wrote (see {@link ViewProcessor}).
 */
public final class ViewTopology {

    /** Events timed by their sequence number; a dead letter keeps its Kafka timestamp. */
    public static final WatermarkStrategy<Either<DeadLetter, EventEnvelope>> SEQUENCE_ORDER = WatermarkStrategy
            .<Either<DeadLetter, EventEnvelope>>noWatermarks()
            .withTimestampAssigner((record, kafkaTime) -> record.isRight() ? record.right().getSequenceNumber() : kafkaTime);

    /** What the job writes. */
    public record Outputs(DataStream<ViewRow> rows, DataStream<DeadLetter> deadLetters) {
    }

    private final List<ViewDefinition<?>> views;

    /** @param views the views to keep, e.g. a domain's registry of them */
    public ViewTopology(List<ViewDefinition<?>> views) {
        if (views.isEmpty()) {
            throw new IllegalArgumentException("a view job keeps at least one view");
        }
        this.views = List.copyOf(views);
    }

    /** Adds the job's operators behind the decoded event records. */
    public Outputs apply(DataStream<Either<DeadLetter, EventEnvelope>> records) {
        SingleOutputStreamOperator<EventEnvelope> events = records
                .process(new DeadLetterRouter<EventEnvelope>(), new AvroTypeInfo<>(EventEnvelope.class))
                .uid(ViewUids.eventsDecoder())
                .name("decode events");
        DataStream<ViewRow> rows = null;
        for (ViewDefinition<?> view : views) {
            DataStream<ViewRow> viewRows = rows(events, view);
            rows = rows == null ? viewRows : rows.union(viewRows);
        }
        return new Outputs(rows, events.getSideOutput(DeadLetterRouter.DEAD_LETTERS));
    }

    private static <R extends SpecificRecord> DataStream<ViewRow> rows(DataStream<EventEnvelope> events,
                                                                      ViewDefinition<R> view) {
        DataStream<ViewInput> inputs = events.flatMap(new KeyedBy(view.key()), new AvroTypeInfo<>(ViewInput.class))
                .uid(ViewUids.keys(view.name()))
                .name(view.name() + " keys");
        if (view.lookup().isPresent()) {
            KeyLookup lookup = view.lookup().get();
            inputs = inputs.union(events
                    .filter(lookup::concerns)
                    .name(lookup.name() + " events")
                    .keyBy(EventEnvelope::getAggregateId, Types.STRING)
                    .process(new KeyLookupProcessor(lookup), new AvroTypeInfo<>(ViewInput.class))
                    .uid(ViewUids.lookup(lookup.name()))
                    .name(lookup.name()));
        }
        return inputs.keyBy(ViewInput::getKey, Types.STRING)
                .process(new ViewProcessor<>(view), new AvroTypeInfo<>(ViewRow.class))
                .uid(ViewUids.processor(view.name()))
                .name(view.name());
    }

    /** An event with the key of the view row it concerns, or nothing when it concerns none. */
    private static final class KeyedBy implements FlatMapFunction<EventEnvelope, ViewInput> {
        private final RowKey key;

        KeyedBy(RowKey key) {
            this.key = key;
        }

        @Override
        public void flatMap(EventEnvelope event, Collector<ViewInput> out) {
            String rowKey = key.of(event);
            if (rowKey != null) {
                out.collect(new ViewInput(rowKey, event));
            }
        }
    }
}
