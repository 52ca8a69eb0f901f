package io.factstream.kafka.dump;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.factstream.kafka.topics.TopicsCommand;
import io.factstream.testkit.CommandLineRun;
import io.factstream.testkit.KafkaBrokerExtension;

/**
 * Topic dumps on real brokers: {@code topics dump} keeps every committed record byte for byte (keys, values,
 * tombstones, headers, timestamps, partitions), and {@code topics load} writes them to another cluster as they were.
 */
class TopicDumpITCase {

    private static final List<NewTopic> TOPICS = List.of(new NewTopic("a", 2, (short) 1), new NewTopic("b", 1,
            (short) 1));

    @RegisterExtension
    static final KafkaBrokerExtension SOURCE = KafkaBrokerExtension.create().withTopics(TOPICS);

    @RegisterExtension
    static final KafkaBrokerExtension TARGET = KafkaBrokerExtension.create().withTopics(TOPICS);

    @TempDir
    static Path dir;

    @Test
    void aDumpLoadedIntoAnotherClusterHoldsTheSameRecords() throws Exception {
        RecordHeaders headers = new RecordHeaders();
        headers.add("reason", "because".getBytes(UTF_8));
        headers.add("empty", null);
        SOURCE.sendAll(List.of(
                new ProducerRecord<>("a", 0, 1_000L, bytes("k1"), bytes("v1"), headers),
                new ProducerRecord<>("a", 1, 2_000L, bytes("k2"), bytes("v2")),
                new ProducerRecord<>("a", 0, 3_000L, bytes("k1"), (byte[]) null),
                new ProducerRecord<>("b", 0, 500L, null, bytes("no key"))));
        Path dump = dir.resolve("dump.avro");

        CommandLineRun dumped = CommandLineRun.of(TopicsCommand.commandLine(), "dump", "--topics", "a,b",
                "--out", dump.toString(), "-b", SOURCE.bootstrapServers());
        assertThat(dumped.exitCode()).as(dumped.toString()).isZero();
        assertThat(dumped.out()).contains("4 records of 2 topics");
        CommandLineRun loaded = CommandLineRun.of(TopicsCommand.commandLine(), "load", "--file", dump.toString(),
                "-b", TARGET.bootstrapServers());
        assertThat(loaded.exitCode()).as(loaded.toString()).isZero();

        for (String topic : List.of("a", "b")) {
            assertThat(describe(TARGET.readCommitted(List.of(topic)))).as(topic)
                    .isEqualTo(describe(SOURCE.readCommitted(List.of(topic))));
        }
        assertThat(describe(SOURCE.readCommitted(List.of("a")))).contains(
                "a/0 1000 k1=v1 [reason=because, empty=null]", "a/0 3000 k1=null []");
    }

    @Test
    void anUnreadableDumpIsACauseOnOneLine() {
        CommandLineRun missing = CommandLineRun.of(TopicsCommand.commandLine(), "load", "--file",
                dir.resolve("nothing.avro").toString(), "-b", TARGET.bootstrapServers(), "--timeout", "PT5S");
        assertThat(missing.exitCode()).isEqualTo(3);
        assertThat(missing.err().strip()).startsWith("topics load: no readable topic dump at ")
                .doesNotContain("\n");
    }

    private static List<String> describe(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> r.topic() + "/" + r.partition() + " " + r.timestamp() + " "
                + string(r.key()) + "=" + string(r.value()) + " " + headers(r)).toList();
    }

    private static String headers(ConsumerRecord<byte[], byte[]> record) {
        return Arrays.stream(record.headers().toArray())
                .map(h -> h.key() + "=" + string(h.value())).toList().toString();
    }

    private static String string(byte[] bytes) {
        return bytes == null ? "null" : new String(bytes, UTF_8);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }
}
