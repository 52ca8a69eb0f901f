package io.factstream.statetools;

import java.nio.file.Files;
import java.nio.file.Path;

import io.factstream.jobs.JobOptions;
import io.factstream.jobs.io.JobInput;
import io.factstream.jobs.io.LogBound;
import io.factstream.kafka.clients.KafkaConnection;
import io.factstream.kafka.clients.KafkaPropertiesOption;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Where a tool reads an event log: a range of the Kafka topics, or a topic dump file. */
public final class LogInput {

    @Option(names = {"-b", "--bootstrap-servers"}, defaultValue = "localhost:9092",
            description = "Kafka to read the log from (default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Mixin
    KafkaPropertiesOption kafkaProperties;

    @Option(names = "--from", defaultValue = "earliest", converter = JobOptions.LogBoundConverter.class,
            description = "Where the log starts: earliest, an ISO-8601 time, or <topic>:<partition>=<offset>,... "
                    + "(default: ${DEFAULT-VALUE}).")
    LogBound from;

    @Option(names = "--until", defaultValue = "latest", converter = JobOptions.LogBoundConverter.class,
            description = "Where the log ends: latest, <topic>:<partition>=<offset>,..., or an ISO-8601 time: each "
                    + "aggregate's entries up to the first one created after it (default: ${DEFAULT-VALUE}).")
    LogBound until;

    @Option(names = "--input-file", description = "Read the log from this topic dump file instead of Kafka.")
    Path inputFile;

    /** The log as a batch run's input; fails with a one-line cause when the dump file cannot be read. */
    JobInput input() {
        if (inputFile != null) {
            if (!Files.isReadable(inputFile)) {
                throw new IllegalArgumentException("no readable topic dump at " + inputFile);
            }
            return new JobInput.DumpFile(inputFile.toAbsolutePath().toString());
        }
        // A partition's records are not in time order, so a time cuts each aggregate's log, not the partitions.
        return new JobInput.Kafka(KafkaConnection.to(bootstrapServers), "factstream-state-tools", from,
                until.time() != null ? LogBound.LATEST : until);
    }

    /** Where a fold of each aggregate's log stops, in epoch milliseconds of creation time: --until, or never. */
    long foldUntil() {
        return until.time() != null ? until.time().toEpochMilli() : Long.MAX_VALUE;
    }

    /** Where the log is, in words. */
    String describe() {
        return inputFile != null ? inputFile.toString() : bootstrapServers + " from " + from + " until " + until;
    }
}
