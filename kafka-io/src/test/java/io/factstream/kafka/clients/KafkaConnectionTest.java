package io.factstream.kafka.clients;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.factstream.kafka.topics.TopicsCommand;
import picocli.CommandLine;

class KafkaConnectionTest {

    private static final String SECURED = """
            # as kafka-console-consumer --consumer.config reads it
            security.protocol=SASL_SSL
            sasl.mechanism=SCRAM-SHA-512
            sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="orders" \\
              password="secret";
            isolation.level=read_uncommitted
            bootstrap.servers=elsewhere:9092
            """;

    @TempDir
    Path dir;

    @AfterEach
    void forgetTheFile() {
        System.clearProperty(KafkaClientProperties.SYSTEM_PROPERTY);
    }

    @Test
    void aClientTakesTheFilesPropertiesUnderItsOwnAndTheServersGiven() throws Exception {
        KafkaClientProperties.use(file(SECURED));

        Map<String, Object> config = KafkaConnection.to("broker:9093")
                .config(Map.of("isolation.level", "read_committed"));

        assertThat(config).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                        + "username=\"orders\" password=\"secret\";")
                .as("what the client needs to be correct wins").containsEntry("isolation.level", "read_committed")
                .as("the servers given win").containsEntry("bootstrap.servers", "broker:9093");
    }

    @Test
    void withoutAFileAClientHasOnlyTheServersAndItsOwnSettings() {
        assertThat(new KafkaConnection("broker:9092", Map.of()).config(Map.of("acks", "all")))
                .containsExactlyInAnyOrderEntriesOf(Map.of("bootstrap.servers", "broker:9092", "acks", "all"));
    }

    @Test
    void aConnectionTravelsToTheClusterWithItsProperties() throws Exception {
        KafkaConnection connection = new KafkaConnection("broker:9093", Map.of("security.protocol", "SSL"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(connection);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(in.readObject()).isEqualTo(connection);
        }
    }

    @Test
    void aFileThatCannotBeReadIsOneLineThatNamesIt() {
        Path missing = dir.resolve("missing.properties");

        KafkaClientProperties.use(missing);

        assertThatThrownBy(() -> KafkaConnection.to("broker:9092")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot read the Kafka client properties " + missing + ": ")
                .hasMessageNotContaining("\n");
    }

    @Test
    void aToolsKafkaPropertiesOptionNamesTheFileEveryClientTakes() throws Exception {
        Path file = file(SECURED);
        StringWriter err = new StringWriter();
        CommandLine topics = TopicsCommand.commandLine().setErr(new PrintWriter(err));

        topics.parseArgs("check", "--bootstrap-servers", "broker:9093", "--kafka-properties", file.toString());

        assertThat(KafkaClientProperties.configured()).containsEntry("security.protocol", "SASL_SSL");
        assertThat(TopicsCommand.commandLine().setErr(new PrintWriter(err))
                .execute("check", "--kafka-properties", dir.resolve("none").toString())).isEqualTo(3);
        assertThat(err.toString().strip()).startsWith("topics check: cannot read the Kafka client properties")
                .doesNotContain("\n");
    }

    private Path file(String content) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, content, UTF_8);
        return file;
    }
}
