package io.factstream.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KafkaBrokerExtensionITCase {

    private static final String TOPIC = "testkit.records";

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.create()
            .withTopics(List.of(new NewTopic(TOPIC, 2, (short) 1)));

    @Test
    void readsOnlyCommittedTransactionsAndStopsAtTheEnd() throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "testkit-it");
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(record("a", "aborted"));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(record("a", "committed-1"));
            producer.send(record("b", "committed-2"));
            producer.commitTransaction();
        }
        KAFKA.send(record("c", "plain"));

        List<String> values = KAFKA.readCommitted(List.of(TOPIC)).stream()
                .map(r -> new String(r.value(), UTF_8)).sorted().toList();

        assertThat(values).containsExactly("committed-1", "committed-2", "plain");
    }

    @Test
    void readUntilFailsWithWhatItSawWhenTheConditionNeverHolds() {
        assertThatThrownBy(() -> KAFKA.readCommittedUntil(
                List.of(TOPIC), records -> records.stream().anyMatch(KafkaBrokerExtensionITCase::isNever),
                Duration.ofMillis(500)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("condition not met");
    }

    private static boolean isNever(ConsumerRecord<byte[], byte[]> record) {
        return new String(record.value(), UTF_8).equals("never-sent");
    }

    private static ProducerRecord<byte[], byte[]> record(String key, String value) {
        return new ProducerRecord<>(TOPIC, key.getBytes(UTF_8), value.getBytes(UTF_8));
    }
}
