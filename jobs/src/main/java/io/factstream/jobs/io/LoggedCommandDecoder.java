package io.factstream.jobs.io;

import java.time.Instant;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.factstream.catalog.CommandEnvelope;
import io.factstream.log.DeadLetter;
import io.factstream.log.LoggedCommand;

/**
 * Decodes command records for an aggregate job: each becomes a {@link LoggedCommand} that keeps the record's
 * offset and Kafka timestamp with the envelope, or a {@link DeadLetter}.
 */
public final class LoggedCommandDecoder implements RecordDecoder<Either<DeadLetter, LoggedCommand>> {

    private final CatalogRecordDeserializer<CommandEnvelope> commands =
            CatalogRecordDeserializer.forType(CommandEnvelope.class);

    @Override
    public Either<DeadLetter, LoggedCommand> decode(ConsumerRecord<byte[], byte[]> record) {
        Either<DeadLetter, CommandEnvelope> decoded = commands.decode(record);
        if (decoded.isLeft()) {
            return Either.Left(decoded.left());
        }
        return Either.Right(new LoggedCommand(decoded.right(), Instant.ofEpochMilli(record.timestamp()),
                record.offset()));
    }

    @Override
    public TypeInformation<Either<DeadLetter, LoggedCommand>> getProducedType() {
        return new EitherTypeInfo<>(new AvroTypeInfo<>(DeadLetter.class), new AvroTypeInfo<>(LoggedCommand.class));
    }
}
