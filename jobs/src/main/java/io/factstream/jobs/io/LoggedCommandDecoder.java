package io.factstream.jobs.io;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Instant;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import io.factstream.catalog.CommandEnvelope;
import io.factstream.kafka.park.Redrive;
import io.factstream.log.DeadLetter;
import io.factstream.log.LoggedCommand;

/**
 * Decodes command records for an aggregate job: each becomes a {@link LoggedCommand} that keeps the record's
 * offset, Kafka timestamp and key with the envelope (and, for a command redriven out of quarantine, the index of
 * the parked command it stands for), or a {@link DeadLetter}.
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
                record.offset(), record.key() == null ? null : new String(record.key(), UTF_8), redriveOf(record)));
    }

    /** The parked command a redriven one stands for, from its header; null for any other command. */
    private static Long redriveOf(ConsumerRecord<byte[], byte[]> record) {
        Header header = record.headers().lastHeader(Redrive.HEADER);
        if (header == null) {
            return null;
        }
        try {
            return Long.parseLong(new String(header.value(), UTF_8));
        } catch (NumberFormatException e) {
            return -1L; // no parked command has this index: the aggregate rejects it as redriven out of turn
        }
    }

    @Override
    public TypeInformation<Either<DeadLetter, LoggedCommand>> getProducedType() {
        return new EitherTypeInfo<>(new AvroRecordTypeInfo<>(DeadLetter.class), new AvroRecordTypeInfo<>(LoggedCommand.class));
    }
}
