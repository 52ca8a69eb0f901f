package io.factstream.catalog.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicCatalogTest {

    private final TopicCatalog catalog = TopicCatalog.standard();

    @Test
    void holdsEveryTopicOfTheDesign() {
        assertThat(catalog.topics()).extracting(TopicSpec::name).containsExactly(
                "orders.commands", "orders.events", "orders.rejections", "orders.dlq",
                "payments.commands", "payments.events", "payments.rejections", "payments.dlq",
                "kitchen.commands", "kitchen.events", "kitchen.rejections", "kitchen.dlq",
                "delivery.commands", "delivery.events", "delivery.rejections", "delivery.dlq",
                "views.order-status.history", "views.order-status.latest",
                "views.customer-orders.history", "views.customer-orders.latest",
                "views.kitchen-queue.history", "views.kitchen-queue.latest");
    }

    @Test
    void onlyTheLatestViewTopicsAreCompacted() {
        for (TopicSpec topic : catalog.topics()) {
            assertThat(topic.cleanupPolicy()).as(topic.name())
                    .isEqualTo(topic.name().endsWith(".latest") ? "compact" : "delete");
        }
    }

    @Test
    void theEventStoreIsKeptForever() {
        for (TopicSpec topic : catalog.topics()) {
            if (topic.name().endsWith(".events")) {
                assertThat(topic.retentionMs()).as(topic.name()).contains(-1L);
                assertThat(topic.configs()).containsEntry("retention.bytes", "-1");
            }
        }
    }

    @Test
    void sizesEveryTopicAlike() {
        TopicCatalog sized = TopicCatalog.sized(12, (short) 3);

        assertThat(sized.topics()).allSatisfy(t -> {
            assertThat(t.partitions()).isEqualTo(12);
            assertThat(t.replicationFactor()).isEqualTo((short) 3);
        });
        assertThatThrownBy(() -> TopicCatalog.sized(0, (short) 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
