package io.factstream.catalog.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.views.ViewCatalog;

class TopicCatalogTest {

    private final TopicCatalog catalog = TopicCatalog.standard();

    @Test
    void holdsTheTopicsOfEveryContextThenOfEveryViewThenOfQuarantinesRedrivesAndWriterLeases() {
        List<String> expected = new ArrayList<>();
        for (BoundedContext context : BoundedContext.values()) {
            for (String kind : List.of("commands", "events", "rejections", "dlq", "parked")) {
                expected.add(context.id() + "." + kind);
            }
        }
        for (String view : ViewCatalog.get().names()) {
            expected.add("views." + view + ".history");
            expected.add("views." + view + ".latest");
        }
        expected.addAll(List.of("sagas.parked", "views.parked", "factstream.redrive", TopicCatalog.WRITERS));

        assertThat(catalog.topics()).extracting(TopicSpec::name).containsExactlyElementsOf(expected)
                .contains("orders.events", "views.order-status.latest");
    }

    @Test
    void onlyTheLatestViewTopicsAndTheWriterLeasesAreCompacted() {
        for (TopicSpec topic : catalog.topics()) {
            boolean latest = topic.name().endsWith(".latest") || topic.name().equals(TopicCatalog.WRITERS);
            assertThat(topic.cleanupPolicy()).as(topic.name()).isEqualTo(latest ? "compact" : "delete");
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
    void sizesEveryTopicAlikeButTheWriterLeasesAndRedrivesWhichHaveOnePartition() {
        TopicCatalog sized = TopicCatalog.sized(12, (short) 3);

        assertThat(sized.topics()).allSatisfy(t -> {
            assertThat(t.partitions()).isEqualTo(List.of(TopicCatalog.WRITERS, TopicCatalog.REDRIVE)
                    .contains(t.name()) ? 1 : 12);
            assertThat(t.replicationFactor()).isEqualTo((short) 3);
        });
        assertThatThrownBy(() -> TopicCatalog.sized(0, (short) 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
