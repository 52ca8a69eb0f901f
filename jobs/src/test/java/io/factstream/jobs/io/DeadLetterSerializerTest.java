package io.factstream.jobs.io;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Instant;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import io.factstream.kafka.dlq.DeadLetterHeaders;
import io.factstream.log.DeadLetter;

class DeadLetterSerializerTest {

    @Test
    void writesTheOriginalBytesWithHeadersSayingWhyAndWhereFrom() {
        DeadLetter letter = DeadLetter.newBuilder()
                .setSourceTopic("kitchen.commands")
                .setSourcePartition(1)
                .setSourceOffset(99L)
                .setSourceTimestamp(Instant.ofEpochMilli(1_767_225_600_000L))
                .setKey(ByteBuffer.wrap("ticket-9".getBytes(UTF_8)))
                .setValue(ByteBuffer.wrap(new byte[] {0x00, 0x01, 0x02}))
                .setReason("not Avro single-object encoded: header 0001")
                .setErrorType("org.apache.avro.message.BadHeaderException")
                .build();

        ProducerRecord<byte[], byte[]> record = new DeadLetterSerializer("kitchen-aggregate", "kitchen.dlq")
                .serialize(letter, null, null);

        assertThat(record.topic()).isEqualTo("kitchen.dlq");
        assertThat(record.key()).isEqualTo("ticket-9".getBytes(UTF_8));
        assertThat(record.value()).containsExactly(0x00, 0x01, 0x02);
        assertThat(record.timestamp()).isEqualTo(1_767_225_600_000L);
        assertThat(header(record, DeadLetterHeaders.REASON)).isEqualTo("not Avro single-object encoded: header 0001");
        assertThat(header(record, DeadLetterHeaders.ERROR_TYPE)).endsWith("BadHeaderException");
        assertThat(header(record, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo("kitchen.commands");
        assertThat(header(record, DeadLetterHeaders.SOURCE_PARTITION)).isEqualTo("1");
        assertThat(header(record, DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("99");
        assertThat(header(record, DeadLetterHeaders.WRITER)).isEqualTo("kitchen-aggregate");
    }

    @Test
    void keepsAMissingKeyAndATombstoneAsNull() {
        DeadLetter letter = DeadLetter.newBuilder()
                .setSourceTopic("kitchen.commands").setSourcePartition(0).setSourceOffset(0L)
                .setSourceTimestamp(Instant.EPOCH).setReason("no value (null)").setErrorType("NO_VALUE")
                .build();

        ProducerRecord<byte[], byte[]> record = new DeadLetterSerializer("kitchen-aggregate", "kitchen.dlq")
                .serialize(letter, null, null);

        assertThat(record.key()).isNull();
        assertThat(record.value()).isNull();
    }

    private static String header(ProducerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), UTF_8);
    }
}
