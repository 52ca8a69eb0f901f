package io.factstream.kafka.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.catalog.topics.TopicSpec;
import io.factstream.testkit.CommandLineRun;
import io.factstream.testkit.KafkaBrokerExtension;

/** The topic tool against a real broker: creation, configs, idempotency, drift, and its command line. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TopicAdminITCase {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.create();

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final TopicCatalog CATALOG = TopicCatalog.sized(2, (short) 1);

    @Test
    @Order(1)
    void createsEveryCatalogTopicWithItsConfigAndThenChangesNothing() throws Exception {
        try (TopicAdmin admin = TopicAdmin.using(KAFKA.admin(), TIMEOUT)) {
            TopicReport first = admin.ensure(CATALOG);

            assertThat(first.created()).containsExactlyInAnyOrderElementsOf(names(CATALOG.topics()));
            assertThat(first.consistent()).isTrue();

            Map<String, TopicDescription> described =
                    KAFKA.admin().describeTopics(names(CATALOG.topics())).allTopicNames().get();
            Map<ConfigResource, Config> configs = KAFKA.admin().describeConfigs(CATALOG.topics().stream()
                    .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t.name())).toList()).all().get();
            for (TopicSpec topic : CATALOG.topics()) {
                assertThat(described.get(topic.name()).partitions()).as(topic.name()).hasSize(topic.partitions());
                String cleanup = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic.name()))
                        .get("cleanup.policy").value();
                assertThat(cleanup).as(topic.name()).isEqualTo(topic.cleanupPolicy());
            }

            TopicReport second = admin.ensure(CATALOG);

            assertThat(second.created()).isEmpty();
            assertThat(second.drifted()).isEmpty();
            assertThat(second.unchanged()).containsExactlyInAnyOrderElementsOf(names(CATALOG.topics()));
        }
    }

    @Test
    @Order(2)
    void reportsTopicsThatDifferAndLeavesThemAlone() throws Exception {
        ConfigResource rejections = new ConfigResource(ConfigResource.Type.TOPIC, "orders.rejections");
        KAFKA.admin().incrementalAlterConfigs(Map.of(rejections, List.of(new AlterConfigOp(
                new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.SET)))).all().get();
        KAFKA.admin().createPartitions(Map.of("kitchen.dlq",
                NewPartitions.increaseTo(3))).all().get();
        // The broker applies metadata changes asynchronously: wait until both are visible.
        await().atMost(TIMEOUT).until(() ->
                KAFKA.admin().describeConfigs(List.of(rejections)).all().get().get(rejections)
                        .get("cleanup.policy").value().equals("compact")
                && KAFKA.admin().describeTopics(List.of("kitchen.dlq")).allTopicNames().get()
                        .get("kitchen.dlq").partitions().size() == 3);

        try (TopicAdmin admin = TopicAdmin.using(KAFKA.admin(), TIMEOUT)) {
            TopicReport report = admin.ensure(CATALOG);

            assertThat(report.consistent()).isFalse();
            assertThat(report.drifted()).containsExactlyInAnyOrder(
                    new TopicReport.Drift("orders.rejections", List.of("cleanup.policy is compact, expected delete")),
                    new TopicReport.Drift("kitchen.dlq", List.of("has 3 partitions, expected 2")));
            assertThat(admin.check(CATALOG).drifted()).as("nothing was changed").hasSize(2);
        }

        CommandLineRun check = run("check", "-b", KAFKA.bootstrapServers(), "--partitions", "2");
        assertThat(check.exitCode()).isEqualTo(1);
        assertThat(check.out()).contains("DIFFERS   orders.rejections: cleanup.policy is compact, expected delete")
                .contains("0 created, 0 missing, " + (CATALOG.topics().size() - 2)
                        + " unchanged, 2 differ from the catalog");
    }

    @Test
    @Order(3)
    void theCommandLineExplainsWhatItCannotDoInOneLine() {
        CommandLineRun unreachable = run("check", "-b", "127.0.0.1:1", "--timeout", "PT2S");
        assertThat(unreachable.exitCode()).isEqualTo(3);
        assertThat(unreachable.err().strip()).startsWith("topics check: cannot list topics").doesNotContain("\n");

        CommandLineRun badArgument = run("ensure", "--partitions", "many");
        assertThat(badArgument.exitCode()).isEqualTo(2);
        assertThat(badArgument.err()).contains("Invalid value for option '--partitions'");

        CommandLineRun list = run("list");
        assertThat(list.exitCode()).isZero();
        assertThat(list.out().lines()).hasSize(CATALOG.topics().size());
    }

    private static CommandLineRun run(String... args) {
        return CommandLineRun.of(TopicsCommand.commandLine(), args);
    }

    private static List<String> names(Collection<TopicSpec> topics) {
        return topics.stream().map(TopicSpec::name).toList();
    }
}
