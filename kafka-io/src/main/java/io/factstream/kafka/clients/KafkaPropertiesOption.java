package io.factstream.kafka.clients;

import java.nio.file.Path;

import picocli.CommandLine.Option;

/**
 * The {@code --kafka-properties FILE} option of every command that talks to Kafka, as a picocli mixin: the file's
 * standard Kafka client properties go to every client the command makes ({@link KafkaClientProperties}).
 */
public final class KafkaPropertiesOption {

    @Option(names = "--kafka-properties", paramLabel = "FILE",
            description = "Kafka client properties (security.protocol, sasl.*, ssl.*, ...) for every client; "
                    + "default: the file $" + KafkaClientProperties.ENVIRONMENT_VARIABLE + " names, if any.")
    void use(Path file) {
        KafkaClientProperties.use(file);
    }
}
