package io.factstream.benchmarks;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

import io.factstream.kafka.clients.KafkaConnection;

/**
 * Counts what a run writes, as a {@code read_committed} client would see it: from the end of the output topics as
 * the run starts, each record once it is committed. It notes when the first and the last of them became visible,
 * which is what a steady-state rate is measured between, and knows when it has read everything that is committed.
 */
final class OutputMeter implements AutoCloseable {

    private final String servers;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions;
    private final Thread reader;
    private final Map<TopicPartition, Long> positions = new HashMap<>();
    private long count;
    private long countAtFirst;
    private Instant first;
    private Instant last;
    private RuntimeException failure;

    private OutputMeter(String servers, Collection<String> topics) {
        this.servers = servers;
        consumer = consumer(servers);
        partitions = topics.stream()
                .flatMap(topic -> consumer.partitionsFor(topic).stream()
                        .map(info -> new TopicPartition(topic, info.partition())))
                .toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(partition -> positions.put(partition, consumer.position(partition)));
        reader = new Thread(this::read, "output-meter");
    }

    /** Starts counting what is committed to the topics from now on. */
    static OutputMeter start(String servers, Collection<String> topics) {
        OutputMeter meter = new OutputMeter(servers, topics);
        meter.reader.start();
        return meter;
    }

    private void read() {
        try {
            while (true) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                Instant now = Instant.now();
                Map<TopicPartition, Long> read = new HashMap<>();
                partitions.forEach(partition -> read.put(partition, consumer.position(partition)));
                synchronized (this) {
                    if (!records.isEmpty()) {
                        if (first == null) {
                            first = now;
                            countAtFirst = records.count();
                        }
                        last = now;
                        count += records.count();
                    }
                    positions.putAll(read);
                    notifyAll();
                }
            }
        } catch (WakeupException closing) {
            // close() ends the reader
        } catch (RuntimeException e) {
            synchronized (this) {
                failure = e;
                notifyAll();
            }
        }
    }

    /**
     * Waits until everything committed to the topics by now is counted: the run that writes them has ended, so
     * what it wrote is all there is.
     */
    synchronized Counted finish(Duration timeout) throws InterruptedException, TimeoutException {
        Map<TopicPartition, Long> ends = endOffsets();
        Instant deadline = Instant.now().plus(timeout);
        while (failure == null && ends.entrySet().stream()
                .anyMatch(end -> positions.get(end.getKey()) < end.getValue())) {
            long left = Duration.between(Instant.now(), deadline).toMillis();
            if (left <= 0) {
                throw new TimeoutException("the output meter read " + count + " records in " + timeout
                        + " and has not reached the committed end of " + ends.keySet());
            }
            wait(left);
        }
        if (failure != null) {
            throw failure;
        }
        return new Counted(count, countAtFirst, first, last,
                Duration.ofNanos(ManagementFactory.getThreadMXBean().getThreadCpuTime(reader.getId())));
    }

    /** The committed end of each partition (read by a client of its own: the meter's belongs to its reader). */
    private Map<TopicPartition, Long> endOffsets() {
        try (KafkaConsumer<byte[], byte[]> ends = consumer(servers)) {
            return ends.endOffsets(partitions, Duration.ofSeconds(30));
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String servers) {
        return KafkaConnection.to(servers).consumer(Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000"));
    }

    /**
     * What the meter counted: all records, those of the first poll that found any, when it found them, and the CPU
     * time its reader spent (which is no part of the run it measures).
     */
    record Counted(long records, long recordsAtFirst, Instant first, Instant last, Duration readerCpu) {

        /** Records per second from the first visible output to the last: the steady state; NaN with one burst. */
        double steadyPerSecond() {
            if (first == null || !last.isAfter(first)) {
                return Double.NaN;
            }
            return (records - recordsAtFirst) / (Duration.between(first, last).toNanos() / 1e9);
        }
    }

    @Override
    public void close() throws InterruptedException {
        consumer.wakeup();
        reader.join();
        consumer.close();
    }
}
