package io.factstream.jobs.topology;

import java.util.List;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;

import io.factstream.catalog.EventEnvelope;
import io.factstream.jobs.quarantine.KeyQuarantine;
import io.factstream.jobs.view.KeyLookupProcessor;
import io.factstream.jobs.view.ViewProcessor;
import io.factstream.jobs.view.ViewUids;
import io.factstream.kernel.view.KeyLookup;
import io.factstream.kernel.view.RowKey;
import io.factstream.kernel.view.ViewDefinition;
import io.factstream.log.DeadLetter;
import io.factstream.log.ParkedInput;
import io.factstream.log.RedriveRequest;
import io.factstream.views.ViewInput;
import io.factstream.views.ViewRow;
import io.factstream.jobs.io.AvroRecordTypeInfo;

/**
 * The dataflow of the view job, apart from where its records come from and go to: decoded events of every context
 * and redrive requests in; the versions of every registered view's rows, dead letters, and the events of rows in
 * quarantine out.
 *
 * <pre>
 * events or dead letters ─► route ─┬─► keys of view 1 ──────────────────┬─► rows of view 1 ─┬─► row versions
 *                                  │                                    │        ▲          └─► parked events
 *                                  ├─► lookup of view 1 (if any) ───────┘        │
 *                                  └─► keys of view 2 ... ─────────────────► rows of view 2 ...
 * redrive requests ─► decode ─────────────────────── (those of each view) ───────┘
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
    public record Outputs(DataStream<ViewRow> rows, DataStream<DeadLetter> deadLetters,
                          DataStream<ParkedInput> parked) {
    }

    private final List<ViewDefinition<?>> views;

    /** @param views the views to keep, e.g. a domain's registry of them */
    public ViewTopology(List<ViewDefinition<?>> views) {
        if (views.isEmpty()) {
            throw new IllegalArgumentException("a view job keeps at least one view");
        }
        this.views = List.copyOf(views);
    }

    /**
     * Adds the job's operators behind the decoded event records.
     *
     * @param redriveRecords the decoded records of {@code factstream.redrive}, or null for a bounded run
     */
    public Outputs apply(DataStream<Either<DeadLetter, EventEnvelope>> records,
                         DataStream<Either<DeadLetter, RedriveRequest>> redriveRecords) {
        SingleOutputStreamOperator<EventEnvelope> events = records
                .process(new DeadLetterRouter<EventEnvelope>(), new AvroRecordTypeInfo<>(EventEnvelope.class))
                .uid(ViewUids.eventsDecoder())
                .name("decode events");
        DataStream<RedriveRequest> redrives = Redrives.of(redriveRecords, events, ViewUids.redriveDecoder());
        DataStream<ViewRow> rows = null;
        DataStream<ParkedInput> parked = null;
        for (ViewDefinition<?> view : views) {
            SingleOutputStreamOperator<ViewRow> viewRows = rows(events, redrives, view);
            rows = rows == null ? viewRows : rows.union(viewRows);
            DataStream<ParkedInput> viewParked = viewRows.getSideOutput(KeyQuarantine.PARKED);
            parked = parked == null ? viewParked : parked.union(viewParked);
        }
        return new Outputs(rows, events.getSideOutput(DeadLetterRouter.DEAD_LETTERS), parked);
    }

    private static <R extends SpecificRecord> SingleOutputStreamOperator<ViewRow> rows(
            DataStream<EventEnvelope> events, DataStream<RedriveRequest> redrives, ViewDefinition<R> view) {
        DataStream<ViewInput> inputs = events.flatMap(new KeyedBy(view.key()), new AvroRecordTypeInfo<>(ViewInput.class))
                .uid(ViewUids.keys(view.name()))
                .name(view.name() + " keys");
        if (view.lookup().isPresent()) {
            KeyLookup lookup = view.lookup().get();
            inputs = inputs.union(events
                    .filter(lookup::concerns)
                    .name(lookup.name() + " events")
                    .keyBy(EventEnvelope::getAggregateId, Types.STRING)
                    .process(new KeyLookupProcessor(lookup), new AvroRecordTypeInfo<>(ViewInput.class))
                    .uid(ViewUids.lookup(lookup.name()))
                    .name(lookup.name()));
        }
        String name = view.name();
        return inputs.keyBy(ViewInput::getKey, Types.STRING)
                .connect(redrives.filter(request -> request.getScope().equals(name)).name(name + " redrives")
                        .keyBy(RedriveRequest::getKey, Types.STRING))
                .process(new ViewProcessor<>(view), new AvroRecordTypeInfo<>(ViewRow.class))
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
