package io.factstream.jobs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.kafka.topics.TopicAdmin;
import io.factstream.testkit.KafkaBrokerExtension;

/** Invariant 4: the same command log, run twice from empty state, yields byte-identical event records. */
class AggregateDeterminismITCase {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.create()
            .withTopics(TopicAdmin.newTopics(TopicCatalog.sized(2, (short) 1)));

    @RegisterExtension
    static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    @Test
    void theSameCommandLogYieldsByteIdenticalEvents() throws Exception {
        BoundedContext context = BoundedContext.ORDERS;
        KAFKA.sendAll(CommandMix.generate(context, 7L, 60).records());

        AggregateJobITCase.runBounded(KAFKA.bootstrapServers(), context, "factstream-orders-first", false);
        List<ConsumerRecord<byte[], byte[]>> firstRun = KAFKA.readCommitted(List.of(context.eventsTopic()));
        Set<String> firstPositions = firstRun.stream().map(r -> r.partition() + "@" + r.offset())
                .collect(Collectors.toSet());
        // Fresh state and a fresh consumer group: the same log from its start, written again on purpose.
        AggregateJobITCase.runBounded(KAFKA.bootstrapServers(), context, "factstream-orders-second", true);
        List<ConsumerRecord<byte[], byte[]>> secondRun = KAFKA.readCommitted(List.of(context.eventsTopic())).stream()
                .filter(r -> !firstPositions.contains(r.partition() + "@" + r.offset())).toList();

        assertThat(firstRun).hasSizeGreaterThan(100);
        assertThat(secondRun.stream().map(AggregateDeterminismITCase::bytes).toList())
                .containsExactlyInAnyOrderElementsOf(firstRun.stream().map(AggregateDeterminismITCase::bytes).toList());
    }

    /** Key, value and timestamp of a record: what "byte-identical" compares. */
    private static String bytes(ConsumerRecord<byte[], byte[]> record) {
        return new String(record.key(), UTF_8) + "|" + Arrays.toString(record.value()) + "|" + record.timestamp();
    }
}
