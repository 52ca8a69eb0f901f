package io.factstream.jobs.io;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.util.List;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

import io.factstream.kafka.dlq.DeadLetterHeaders;
import io.factstream.log.DeadLetter;

/**
 * Writes a {@link DeadLetter} to a DLQ topic as it arrived: the original key and value bytes, untouched, and the
 * original timestamp, with {@linkplain DeadLetterHeaders headers} saying why it could not be read and where from.
 */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {

    private final String writer;
    private final SerializableFunction<DeadLetter, String> topic;

    /** The dead letters of the job named {@code writer} all go to this topic. */
    public DeadLetterSerializer(String writer, String topic) {
        this(writer, letter -> topic);
    }

    /**
     * The dead letters of the job named {@code writer} each go to the topic chosen from it, e.g. the DLQ of its
     * source topic's context.
     */
    public DeadLetterSerializer(String writer, SerializableFunction<DeadLetter, String> topic) {
        this.writer = writer;
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter letter, KafkaSinkContext context, Long timestamp) {
        List<Header> headers = List.of(
                header(DeadLetterHeaders.REASON, letter.getReason()),
                header(DeadLetterHeaders.ERROR_TYPE, letter.getErrorType()),
                header(DeadLetterHeaders.SOURCE_TOPIC, letter.getSourceTopic()),
                header(DeadLetterHeaders.SOURCE_PARTITION, String.valueOf(letter.getSourcePartition())),
                header(DeadLetterHeaders.SOURCE_OFFSET, String.valueOf(letter.getSourceOffset())),
                header(DeadLetterHeaders.WRITER, writer));
        return new ProducerRecord<>(topic.apply(letter), null, letter.getSourceTimestamp().toEpochMilli(),
                bytes(letter.getKey()), bytes(letter.getValue()), headers);
    }

    private static Header header(String name, String value) {
        return new RecordHeader(name, value.getBytes(UTF_8));
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        ByteBuffer view = buffer.duplicate();
        byte[] bytes = new byte[view.remaining()];
        view.get(bytes);
        return bytes;
    }
}
