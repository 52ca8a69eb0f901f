package io.factstream.jobs;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.flink.util.function.SerializableSupplier;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.EventCatalog;
import io.factstream.catalog.EventEnvelope;
import io.factstream.domain.views.CustomerOrdersProjection;
import io.factstream.domain.views.KitchenQueueProjection;
import io.factstream.domain.views.OrderStatusProjection;
import io.factstream.runtime.DeadLetterRouter;
import io.factstream.runtime.JobInput;
import io.factstream.runtime.JobMain;
import io.factstream.runtime.JobOptions;
import io.factstream.runtime.KafkaEndpoints;
import io.factstream.runtime.view.Projection;
import io.factstream.runtime.view.ViewProcessor;
import io.factstream.runtime.view.ViewUids;
import io.factstream.serde.CatalogRecordDeserializer;
import io.factstream.serde.CatalogRecordSerializer;
import io.factstream.serde.DeadLetter;
import io.factstream.serde.DeadLetterSerializer;
import io.factstream.topics.TopicCatalog;
import io.factstream.views.CustomerOrdersRow;
import io.factstream.views.KitchenQueueRow;
import io.factstream.views.OrderStatusRow;
import io.factstream.views.ViewInput;
import io.factstream.views.ViewRow;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The view job: the four {@code <ctx>.events} topics in; the order-status, customer-orders and kitchen-queue views
 * out, the "last-versioned" way: every version of every row to {@code views.<view>.history}, the latest version
 * of each row to the compacted {@code views.<view>.latest} (a tombstone when the row is deleted), exactly once.
 *
 * <p>Events are timed by their sequence number: a batch run ({@code --mode BATCH}), which sorts each key's inputs by
 * time, then sees each aggregate's events in order, as the live job does, and a rebuild or a backfill ends with the
 * rows the live job wrote (see {@link ViewProcessor}).
 */
@Command(name = "view-job", mixinStandardHelpOptions = true,
        description = "Runs the read models: events in, view rows out.")
public final class ViewJob implements Callable<Integer> {

    @Mixin
    JobOptions options;

    public static void main(String[] args) {
        JobMain.run(new CommandLine(new ViewJob()), args);
    }

    @Override
    public Integer call() throws Exception {
        StreamExecutionEnvironment env = options.environment();
        define(env, options, OrderStatusProjection::new, CustomerOrdersProjection::new, KitchenQueueProjection::new);
        env.execute("factstream views");
        return 0;
    }

    /** Adds the view job's sources, operators and sinks to the environment, with these projections. */
    public static void define(StreamExecutionEnvironment env, JobOptions options,
                              SerializableSupplier<Projection<OrderStatusRow>> orderStatus,
                              SerializableSupplier<Projection<CustomerOrdersRow>> customerOrders,
                              SerializableSupplier<Projection<KitchenQueueRow>> kitchenQueue) {
        List<String> topics = Arrays.stream(BoundedContext.values()).map(BoundedContext::eventsTopic).toList();
        WatermarkStrategy<Either<DeadLetter, EventEnvelope>> sequenceOrder = WatermarkStrategy
                .<Either<DeadLetter, EventEnvelope>>noWatermarks()
                .withTimestampAssigner((record, kafkaTime) ->
                        record.isRight() ? record.right().getSequenceNumber() : kafkaTime);
        SingleOutputStreamOperator<EventEnvelope> events = JobInput
                .read(env, options, CatalogRecordDeserializer.forType(EventEnvelope.class), options.groupIdOr("views"),
                        topics, sequenceOrder, ViewUids.eventsSource())
                .process(new DeadLetterRouter<EventEnvelope>(), new AvroTypeInfo<>(EventEnvelope.class))
                .uid(ViewUids.eventsDecoder())
                .name("decode events");

        DataStream<ViewRow> orderStatusRows = view(keyed(events, OrderStatusProjection.VIEW,
                OrderStatusProjection::keyOf), orderStatus, OrderStatusProjection.VIEW);
        DataStream<ViewRow> kitchenQueueRows = view(keyed(events, KitchenQueueProjection.VIEW,
                KitchenQueueProjection::keyOf), kitchenQueue, KitchenQueueProjection.VIEW);
        DataStream<ViewInput> ordersByCustomer = events
                .filter(ViewJob::isOrderEvent)
                .name("order events")
                .keyBy(EventEnvelope::getAggregateId, Types.STRING)
                .process(new OrderOwners(), new AvroTypeInfo<>(ViewInput.class))
                .uid(ViewUids.orderOwners())
                .name("order owners");
        DataStream<ViewRow> customerOrdersRows = view(keyed(events, CustomerOrdersProjection.VIEW,
                        CustomerOrdersProjection::keyOfWalletEvent).union(ordersByCustomer), customerOrders,
                CustomerOrdersProjection.VIEW);

        DataStream<ViewRow> rows = orderStatusRows.union(kitchenQueueRows, customerOrdersRows);
        KafkaEndpoints.write(rows, options, CatalogRecordSerializer.builder(ViewRow.class)
                        .topicSelector(row -> TopicCatalog.viewHistoryTopic(row.getView()))
                        .key(ViewRow::getKey)
                        .timestamp(ViewJob::recordTimestamp)
                        .build(),
                ViewUids.historySink(), "history");
        KafkaEndpoints.write(rows, options, CatalogRecordSerializer.builder(ViewRow.class)
                        .topicSelector(row -> TopicCatalog.viewLatestTopic(row.getView()))
                        .key(ViewRow::getKey)
                        .timestamp(ViewJob::recordTimestamp)
                        .tombstoneWhen(row -> row.getRow() == null)
                        .build(),
                ViewUids.latestSink(), "latest");
        KafkaEndpoints.write(events.getSideOutput(DeadLetterRouter.DEAD_LETTERS), options,
                new DeadLetterSerializer(letter -> BoundedContext.ofTopic(letter.getSourceTopic()).deadLetterTopic()),
                ViewUids.deadLetterSink(), "dead letters");
    }

    private static DataStream<ViewInput> keyed(DataStream<EventEnvelope> events, String view,
                                               SerializableFunction<EventEnvelope, String> keyOf) {
        return events.flatMap(new KeyedBy(keyOf), new AvroTypeInfo<>(ViewInput.class))
                .uid(ViewUids.keys(view))
                .name(view + " keys");
    }

    private static <R extends SpecificRecord> DataStream<ViewRow> view(
            DataStream<ViewInput> inputs, SerializableSupplier<Projection<R>> projection, String view) {
        return inputs.keyBy(ViewInput::getKey, Types.STRING)
                .process(new ViewProcessor<>(projection), new AvroTypeInfo<>(ViewRow.class))
                .uid(ViewUids.processor(view))
                .name(view);
    }

    /** A row version's Kafka timestamp: the time of the event that made it. */
    private static Long recordTimestamp(ViewRow row) {
        return KafkaEndpoints.recordTimestamp(row.getUpdatedAt());
    }

    private static boolean isOrderEvent(EventEnvelope event) {
        return EventCatalog.get().eventType(event.getEventType()).context() == BoundedContext.ORDERS;
    }

    /** An event with the key of the view row it concerns, or nothing when it concerns none. */
    private static final class KeyedBy implements FlatMapFunction<EventEnvelope, ViewInput> {
        private final SerializableFunction<EventEnvelope, String> keyOf;

        KeyedBy(SerializableFunction<EventEnvelope, String> keyOf) {
            this.keyOf = keyOf;
        }

        @Override
        public void flatMap(EventEnvelope event, Collector<ViewInput> out) {
            String key = keyOf.apply(event);
            if (key != null) {
                out.collect(new ViewInput(key, event));
            }
        }
    }
}
