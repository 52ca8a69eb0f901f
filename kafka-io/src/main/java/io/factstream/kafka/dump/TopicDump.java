package io.factstream.kafka.dump;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Consumer;

import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

import io.factstream.kafka.clients.KafkaConnection;
import io.factstream.kafka.read.CommittedReader;
import io.factstream.log.RecordHeader;
import io.factstream.log.TopicRecord;

/**
 * Topic dumps: the committed records of some topics in one Avro container file of {@link TopicRecord}s, each
 * partition in offset order, with keys, values, headers and timestamps byte for byte. A dump is a bounded input
 * for the jobs (a backfill over an archived log), a fixture for tests, and a way to copy topics between clusters
 * ({@link #load}).
 */
public final class TopicDump {

    private TopicDump() {
    }

    /** Writes every committed record of the topics to a new dump file and returns how many it wrote. */
    public static long dump(String bootstrapServers, Collection<String> topics, Path file, Duration timeout)
            throws IOException {
        try (Writer writer = writer(file)) {
            return new CommittedReader(bootstrapServers, timeout).readAll(topics, writer::append);
        }
    }

    /** A writer of a new dump file (replacing any file of that name). */
    public static Writer writer(Path file) throws IOException {
        return new Writer(file);
    }

    /** Hands each record of a dump file to the consumer, in the file's order, and returns how many there were. */
    public static long read(Path file, Consumer<TopicRecord> each) throws IOException {
        readable(file);
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, each);
        } catch (IOException e) {
            throw new IOException("cannot read topic dump " + file + ": " + e.getMessage(), e);
        }
    }

    /** Hands each record of a dump stream to the consumer and returns how many there were. */
    public static long read(InputStream in, Consumer<TopicRecord> each) throws IOException {
        long count = 0;
        try (DataFileStream<TopicRecord> records =
                     new DataFileStream<>(in, new SpecificDatumReader<>(TopicRecord.class))) {
            while (records.hasNext()) {
                each.accept(records.next());
                count++;
            }
        }
        return count;
    }

    /**
     * Writes the records of a dump file to a cluster: each to its topic and partition, with its key, value, headers
     * and timestamp, in the file's order; every send is checked. Returns how many it wrote. The topics must exist
     * with at least as many partitions.
     */
    public static long load(Path file, String bootstrapServers, Duration timeout) throws IOException {
        readable(file);
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        int requestTimeout = (int) Math.min(timeout.toMillis(), 30_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeout);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // at least a request's time and the linger, as the producer demands
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(timeout.toMillis(), requestTimeout + 5));
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        long count;
        try (KafkaProducer<byte[], byte[]> producer = KafkaConnection.to(bootstrapServers).producer(props)) {
            count = read(file, record -> sends.add(producer.send(toProducerRecord(record))));
            producer.flush();
            for (Future<RecordMetadata> send : sends) {
                send.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while loading " + file, e);
        } catch (ExecutionException e) {
            throw new IOException("Kafka refused a record of " + file + ": " + e.getCause().getMessage(), e);
        }
        return count;
    }

    private static void readable(Path file) throws IOException {
        if (!Files.isReadable(file)) {
            throw new IOException("no readable topic dump at " + file);
        }
    }

    /** A dump record as the Kafka consumer would have handed it over. */
    public static ConsumerRecord<byte[], byte[]> toConsumerRecord(TopicRecord record) {
        byte[] key = bytes(record.getKey());
        byte[] value = bytes(record.getValue());
        RecordHeaders headers = new RecordHeaders();
        record.getHeaders().forEach(header -> headers.add(header.getKey(), bytes(header.getValue())));
        return new ConsumerRecord<>(record.getTopic(), record.getPartition(), record.getOffset(),
                record.getTimestamp().toEpochMilli(), TimestampType.CREATE_TIME,
                key == null ? -1 : key.length, value == null ? -1 : value.length, key, value, headers,
                Optional.empty());
    }

    /** A consumed record as a dump keeps it. */
    public static TopicRecord of(ConsumerRecord<byte[], byte[]> record) {
        List<RecordHeader> headers = new ArrayList<>();
        for (Header header : record.headers()) {
            headers.add(new RecordHeader(header.key(), buffer(header.value())));
        }
        return new TopicRecord(record.topic(), record.partition(), record.offset(),
                Instant.ofEpochMilli(Math.max(0, record.timestamp())), buffer(record.key()), buffer(record.value()),
                headers);
    }

    private static ProducerRecord<byte[], byte[]> toProducerRecord(TopicRecord record) {
        ConsumerRecord<byte[], byte[]> consumed = toConsumerRecord(record);
        return new ProducerRecord<>(consumed.topic(), consumed.partition(), consumed.timestamp(), consumed.key(),
                consumed.value(), consumed.headers());
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    private static ByteBuffer buffer(byte[] bytes) {
        return bytes == null ? null : ByteBuffer.wrap(bytes);
    }

    /** Appends records to a new dump file; closing it completes the file. */
    public static final class Writer implements AutoCloseable {
        private final DataFileWriter<TopicRecord> file;

        private Writer(Path path) throws IOException {
            file = new DataFileWriter<>(new SpecificDatumWriter<>(TopicRecord.class));
            file.setCodec(CodecFactory.deflateCodec(6));
            file.create(TopicRecord.getClassSchema(), Files.newOutputStream(path));
        }

        /** Appends one consumed record. */
        public void append(ConsumerRecord<byte[], byte[]> record) {
            append(of(record));
        }

        /** Appends one dump record. */
        public void append(TopicRecord record) {
            try {
                file.append(record);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }
}
