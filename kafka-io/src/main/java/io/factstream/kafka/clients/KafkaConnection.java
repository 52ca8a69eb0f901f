package io.factstream.kafka.clients;

import java.io.Serializable;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * How the platform reaches a Kafka cluster, and the one place its Kafka clients are made: the bootstrap servers and
 * the standard Kafka client properties every client takes on top of them (security protocol, SASL and TLS settings,
 * or any other client setting), from {@link KafkaClientProperties}. A client's own settings, those it needs to be
 * correct (its isolation level, idempotence, transactional id, timeouts), win over the shared ones; the bootstrap
 * servers given win over a {@code bootstrap.servers} in the file.
 *
 * <p>Serializable, so that a Flink job carries the properties its client side read to its sources, sinks and
 * operators on the cluster.
 *
 * @param bootstrapServers the cluster's bootstrap servers
 * @param clientProperties the shared client properties
 */
public record KafkaConnection(String bootstrapServers, Map<String, String> clientProperties) implements Serializable {

    public KafkaConnection {
        clientProperties = Map.copyOf(clientProperties);
    }

    /** The servers, with the client properties this process is configured with. */
    public static KafkaConnection to(String bootstrapServers) {
        return new KafkaConnection(bootstrapServers, KafkaClientProperties.configured());
    }

    /** The configuration of a client: the shared properties, the bootstrap servers, then the client's own. */
    public Map<String, Object> config(Map<String, ?> own) {
        Map<String, Object> config = new LinkedHashMap<>(clientProperties);
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.putAll(own);
        return config;
    }

    /** {@link #config} as properties, which Flink's Kafka connector builders take. */
    public Properties properties(Map<String, ?> own) {
        Properties properties = new Properties();
        config(own).forEach((key, value) -> properties.setProperty(key, String.valueOf(value)));
        return properties;
    }

    /** A producer of bytes with these settings of its own. */
    public KafkaProducer<byte[], byte[]> producer(Map<String, ?> own) {
        return new KafkaProducer<>(config(own), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** A consumer of bytes with these settings of its own. */
    public KafkaConsumer<byte[], byte[]> consumer(Map<String, ?> own) {
        return new KafkaConsumer<>(config(own), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** An admin client with these settings of its own. */
    public Admin admin(Map<String, ?> own) {
        return Admin.create(new HashMap<>(config(own)));
    }
}
