package io.factstream.jobs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.factstream.jobs.io.JobInput;
import picocli.CommandLine;

class JobOptionsTest {

    @TempDir
    Path dir;

    @Test
    void theKafkaPropertiesFileReachesTheJobsSourcesSinksAndFences() throws Exception {
        Path file = dir.resolve("orders.properties");
        Files.writeString(file, "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n", UTF_8);
        JobOptions options = new JobOptions();
        new CommandLine(options).parseArgs("--bootstrap-servers", "broker:9093", "--kafka-properties",
                file.toString(), "--output-bootstrap-servers", "other:9093");

        JobInput.Kafka input = (JobInput.Kafka) options.input("orders");

        assertThat(input.connection().bootstrapServers()).isEqualTo("broker:9093");
        assertThat(input.connection().clientProperties()).containsEntry("security.protocol", "SASL_SSL");
        assertThat(options.output().connection().bootstrapServers()).isEqualTo("other:9093");
        assertThat(options.output().connection().clientProperties()).containsEntry("sasl.mechanism", "SCRAM-SHA-512");
    }
}
