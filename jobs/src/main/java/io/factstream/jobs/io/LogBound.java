package io.factstream.jobs.io;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;

/**
 * One end of the part of a log a job reads, as {@code --from} and {@code --until} give it: {@code earliest},
 * {@code latest}, {@code committed} (the consumer group's offsets, else the earliest), a time (ISO-8601, e.g.
 * {@code 2026-11-26T09:00:00Z}: the first record written at or after it), or offsets per partition
 * ({@code orders.commands:0=1200,orders.commands:1=1187}; partitions not named start at the earliest, or end at
 * the latest).
 */
public sealed interface LogBound {

    /** The Kafka source's offsets for this bound, as a start ({@code from}) or an end ({@code until}). */
    OffsetsInitializer offsets(boolean start);

    /** The time of a time bound; null for the others. */
    default Instant time() {
        return null;
    }

    LogBound EARLIEST = new Named("earliest");
    LogBound LATEST = new Named("latest");
    LogBound COMMITTED = new Named("committed");

    /** Reads a bound as the command line gives it; fails with a message that says what is accepted. */
    static LogBound parse(String text) {
        String value = text.trim();
        for (LogBound named : new LogBound[] {EARLIEST, LATEST, COMMITTED}) {
            if (named.toString().equals(value)) {
                return named;
            }
        }
        if (value.contains("=")) {
            return Offsets.parse(value);
        }
        try {
            return new AtTime(Instant.parse(value));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not a log bound: use earliest, latest, committed, "
                    + "an ISO-8601 time such as 2026-11-26T09:00:00Z, or offsets such as orders.commands:0=1200");
        }
    }

    /** {@code earliest}, {@code latest} or {@code committed}. */
    record Named(String name) implements LogBound {
        @Override
        public OffsetsInitializer offsets(boolean start) {
            return switch (name) {
                case "earliest" -> OffsetsInitializer.earliest();
                case "latest" -> OffsetsInitializer.latest();
                default -> {
                    if (!start) {
                        throw new IllegalArgumentException("committed offsets can start a read, not end it");
                    }
                    yield OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
                }
            };
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** The first record of each partition written at or after a time. */
    record AtTime(Instant time) implements LogBound {
        @Override
        public OffsetsInitializer offsets(boolean start) {
            return OffsetsInitializer.timestamp(time.toEpochMilli());
        }

        @Override
        public String toString() {
            return time.toString();
        }
    }

    /** Offsets of named partitions. */
    record Offsets(Map<TopicPartition, Long> offsets) implements LogBound {
        static Offsets parse(String text) {
            Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
            for (String part : text.split(",")) {
                String[] partitionAndOffset = part.trim().split("=");
                int colon = partitionAndOffset[0].lastIndexOf(':');
                try {
                    if (partitionAndOffset.length != 2 || colon < 1) {
                        throw new NumberFormatException();
                    }
                    offsets.put(new TopicPartition(partitionAndOffset[0].substring(0, colon),
                                    Integer.parseInt(partitionAndOffset[0].substring(colon + 1))),
                            Long.parseLong(partitionAndOffset[1]));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + part.trim() + "' is not <topic>:<partition>=<offset>");
                }
            }
            return new Offsets(offsets);
        }

        @Override
        public OffsetsInitializer offsets(boolean start) {
            return OffsetsInitializer.offsets(offsets, start ? OffsetResetStrategy.EARLIEST : OffsetResetStrategy.LATEST);
        }
    }
}
