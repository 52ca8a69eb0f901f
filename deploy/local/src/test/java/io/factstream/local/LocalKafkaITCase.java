package io.factstream.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker launcher starts a real broker process that plain Kafka clients use, and stops it cleanly. */
class LocalKafkaITCase {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dataDir;

    private LocalKafka broker;

    @AfterEach
    void stopBroker() throws Exception {
        if (broker != null) {
            broker.stop(TIMEOUT);
        }
    }

    @Test
    void startsABrokerProcessThatPlainClientsUseAndStopsItCleanly() throws Exception {
        broker = LocalKafka.onFreePorts(dataDir, LocalKafka.Security.PLAINTEXT);

        LocalKafka.Status started = broker.start(TIMEOUT);

        assertThat(started.state()).isEqualTo(LocalKafka.State.RUNNING);
        long pid = started.pid().orElseThrow();
        assertThat(ProcessHandle.current().pid()).isNotEqualTo(pid);
        assertThat(broker.start(TIMEOUT).pid()).as("starting again keeps the running broker").contains(pid);

        List<String> sent = List.of("margherita", "diavola", "quattro formaggi");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("local.check", 1, (short) 1))).all().get();
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProperties())) {
            for (String value : sent) {
                producer.send(new ProducerRecord<>("local.check", "order", value)).get();
            }
        }
        assertThat(readAll("local.check", sent.size())).containsExactlyElementsOf(sent);

        LocalKafka.Status stopped = broker.stop(TIMEOUT);

        assertThat(stopped.state()).isEqualTo(LocalKafka.State.STOPPED);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(Optional.of(true));
        assertThat(broker.status().state()).isEqualTo(LocalKafka.State.STOPPED);
    }

    @Test
    void refusesAPortThatIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            broker = new LocalKafka(dataDir, taken.getLocalPort(), LocalProcess.freePort(),
                    LocalKafka.Security.PLAINTEXT);

            assertThatThrownBy(() -> broker.start(TIMEOUT))
                    .isInstanceOf(LocalPlatformException.class)
                    .hasMessage("port " + taken.getLocalPort() + " is already in use by another process");
        }
    }

    @Test
    void theCommandLineReportsAStoppedBrokerWithExitCodeOne() {
        StringWriter out = new StringWriter();
        var command = LocalCommand.commandLine();
        command.setOut(new PrintWriter(out));

        int exitCode = command.execute("kafka", "status", "--data-dir", dataDir.toString());

        assertThat(exitCode).isEqualTo(1);
        assertThat(out.toString().strip()).isEqualTo("kafka stopped");
    }

    private Properties producerProperties() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return props;
    }

    private List<String> readAll(String topic, int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            Instant deadline = Instant.now().plus(TIMEOUT);
            while (values.size() < expected && Instant.now().isBefore(deadline)) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
            }
        }
        return values;
    }
}
