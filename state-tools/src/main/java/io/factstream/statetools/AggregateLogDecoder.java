package io.factstream.statetools;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.jobs.io.CatalogRecordDeserializer;
import io.factstream.jobs.io.RecordDecoder;
import io.factstream.log.AggregateLogEntry;
import io.factstream.log.DeadLetter;

/**
 * Decodes the records of a context's events and rejections topics into {@link AggregateLogEntry}s (with their
 * offsets), or dead letters.
 */
final class AggregateLogDecoder implements RecordDecoder<Either<DeadLetter, AggregateLogEntry>> {

    private final CatalogRecordDeserializer<EventEnvelope> events = CatalogRecordDeserializer.forType(EventEnvelope.class);
    private final CatalogRecordDeserializer<CommandRejected> rejections =
            CatalogRecordDeserializer.forType(CommandRejected.class);

    @Override
    public Either<DeadLetter, AggregateLogEntry> decode(ConsumerRecord<byte[], byte[]> record) {
        if (record.topic().endsWith(".rejections")) {
            Either<DeadLetter, CommandRejected> rejection = rejections.decode(record);
            return rejection.isLeft() ? Either.Left(rejection.left()) : Either.Right(
                    new AggregateLogEntry(rejection.right().getSubjectId(), record.offset(), rejection.right()));
        }
        Either<DeadLetter, EventEnvelope> event = events.decode(record);
        return event.isLeft() ? Either.Left(event.left()) : Either.Right(
                new AggregateLogEntry(event.right().getAggregateId(), record.offset(), event.right()));
    }

    @Override
    public TypeInformation<Either<DeadLetter, AggregateLogEntry>> getProducedType() {
        return new EitherTypeInfo<>(new AvroTypeInfo<>(DeadLetter.class), new AvroTypeInfo<>(AggregateLogEntry.class));
    }
}
