package io.factstream.kafka.clients;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The standard Kafka client properties every client of this process takes, from a properties file in Kafka's own
 * format (as {@code kafka-console-consumer --consumer.config} reads it): the file that {@code --kafka-properties}
 * names (it sets the system property {@value #SYSTEM_PROPERTY}), or else the one the environment variable
 * {@value #ENVIRONMENT_VARIABLE} names; none when neither is set. Read each time it is asked for, so that a file
 * changed between two runs of a tool is the one used.
 */
public final class KafkaClientProperties {

    /** The environment variable that names the properties file. */
    public static final String ENVIRONMENT_VARIABLE = "FACTSTREAM_KAFKA_PROPERTIES";
    /** The system property that names the properties file; it wins over the environment variable. */
    public static final String SYSTEM_PROPERTY = "factstream.kafka.properties";

    private KafkaClientProperties() {
    }

    /**
     * The properties of the configured file; empty when no file is configured.
     *
     * @throws IllegalArgumentException with a one-line cause when the file cannot be read
     */
    public static Map<String, String> configured() {
        return file().map(KafkaClientProperties::read).orElse(Map.of());
    }

    /** The configured file, if one is. */
    public static Optional<Path> file() {
        String file = System.getProperty(SYSTEM_PROPERTY, System.getenv(ENVIRONMENT_VARIABLE));
        return file == null || file.isBlank() ? Optional.empty() : Optional.of(Path.of(file));
    }

    /**
     * Makes this file the one every client of the process takes its properties from. It is read when a client is
     * made, so that a file that cannot be read fails the command that needs it, with a one-line cause.
     */
    public static void use(Path file) {
        System.setProperty(SYSTEM_PROPERTY, file.toAbsolutePath().toString());
    }

    /**
     * The properties of a file.
     *
     * @throws IllegalArgumentException with a one-line cause when it cannot be read
     */
    public static Map<String, String> read(Path file) {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot read the Kafka client properties " + file + ": " + e, e);
        }
        Map<String, String> read = new TreeMap<>();
        properties.stringPropertyNames().forEach(name -> read.put(name, properties.getProperty(name).trim()));
        return read;
    }
}
