package io.factstream.jobs.io;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.EventCatalog;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.kitchen.TicketCancelled;
import io.factstream.catalog.wire.RandomRecords;
import io.factstream.catalog.wire.SingleObjectCodec;

class CatalogRecordSerializerTest {

    @Test
    void writesTheAggregateIdAsKeyAndTheEnvelopeAsSingleObject() throws Exception {
        EventEnvelope event = new RandomRecords(11).eventEnvelope(
                EventCatalog.get().eventType("PaymentAuthorized").schema());
        CatalogRecordSerializer<EventEnvelope> serializer = CatalogRecordSerializer.builder(EventEnvelope.class)
                .topic(BoundedContext.PAYMENTS.eventsTopic())
                .key(EventEnvelope::getAggregateId)
                .build();
        serializer.open(null, null);

        ProducerRecord<byte[], byte[]> record = serializer.serialize(event, null, 5L);

        assertThat(record.topic()).isEqualTo("payments.events");
        assertThat(new String(record.key(), UTF_8)).isEqualTo(event.getAggregateId());
        assertThat(record.timestamp()).as("the stream record's timestamp").isEqualTo(5L);
        assertThat(SingleObjectCodec.forType(EventEnvelope.class).decode(record.value())).isEqualTo(event);
    }

    @Test
    void choosesTheTopicPerRecord() {
        EventEnvelope event = new RandomRecords(12).eventEnvelope(
                EventCatalog.get().eventType("TicketOpened").schema());
        CatalogRecordSerializer<EventEnvelope> serializer = CatalogRecordSerializer.builder(EventEnvelope.class)
                .topicSelector(e -> e.getAggregateType().toLowerCase() + ".events")
                .key(EventEnvelope::getAggregateId)
                .build();

        ProducerRecord<byte[], byte[]> record = serializer.serialize(event, null, 5L);

        assertThat(record.topic()).isEqualTo(event.getAggregateType().toLowerCase() + ".events");
    }

    @Test
    void takesTheTimestampFromTheRecordWhenAsked() {
        EventEnvelope event = new RandomRecords(13).eventEnvelope(
                EventCatalog.get().eventType("DeliveryFailed").schema());
        CatalogRecordSerializer<EventEnvelope> serializer = CatalogRecordSerializer.builder(EventEnvelope.class)
                .topic("delivery.events")
                .key(EventEnvelope::getAggregateId)
                .timestamp(e -> e.getCreationTimestamp().toEpochMilli())
                .build();

        assertThat(serializer.serialize(event, null, 5L).timestamp())
                .isEqualTo(event.getCreationTimestamp().toEpochMilli());
    }

    @Test
    void writesATombstoneForTheRecordsItIsToldTo() {
        EventEnvelope event = new RandomRecords(14).eventEnvelope(
                EventCatalog.get().eventType("TicketCancelled").schema());
        CatalogRecordSerializer<EventEnvelope> serializer = CatalogRecordSerializer.builder(EventEnvelope.class)
                .topic("views.kitchen-queue.latest")
                .key(EventEnvelope::getAggregateId)
                .tombstoneWhen(e -> e.getEventData() instanceof TicketCancelled)
                .build();

        ProducerRecord<byte[], byte[]> record = serializer.serialize(event, null, 5L);

        assertThat(record.value()).isNull();
        assertThat(new String(record.key(), UTF_8)).isEqualTo(event.getAggregateId());
    }
}
