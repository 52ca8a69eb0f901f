package io.factstream.catalog.access;

import static io.factstream.catalog.access.Grant.Operation.READ;
import static io.factstream.catalog.access.Grant.Operation.WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.catalog.topics.TopicSpec;

class AccessCatalogTest {

    private final AccessCatalog access = AccessCatalog.standard();

    @Test
    void anAggregateJobReadsItsCommandsAndWritesItsOwnOutputsOnly() {
        Principal orders = access.principal("orders");

        assertThat(orders.kind()).isEqualTo(Principal.Kind.JOB);
        assertThat(orders.topics(READ)).containsExactly("factstream.writers", "orders.commands");
        assertThat(orders.topics(WRITE)).containsExactly("factstream.writers", "orders.dlq", "orders.events",
                "orders.parked", "orders.rejections");
        assertThat(orders.grants()).contains(Grant.groups("factstream-orders"),
                Grant.transactions("factstream-orders-"), Grant.transactions("factstream-fence-orders-"));
    }

    @Test
    void theSagaReadsWhatItSubscribesToAndWritesTheCommandsItSends() {
        Principal saga = access.principal("order-fulfilment");

        assertThat(saga.topics(READ)).containsExactlyInAnyOrder("orders.events", "payments.events", "kitchen.events",
                "delivery.events", "orders.rejections", "payments.rejections", "kitchen.rejections",
                "delivery.rejections", "factstream.redrive", "factstream.writers");
        assertThat(saga.topics(WRITE)).containsExactlyInAnyOrder("orders.commands", "payments.commands",
                "kitchen.commands", "delivery.commands", "orders.dlq", "payments.dlq", "kitchen.dlq", "delivery.dlq",
                "sagas.parked", "factstream.writers");
        assertThat(saga.grants()).contains(Grant.groups("factstream-order-fulfilment"),
                Grant.transactions("factstream-order-fulfilment-"));
    }

    @Test
    void theViewsReadEventsAndWriteTheViewTopicsButNoCommand() {
        Principal views = access.principal(AccessCatalog.VIEWS);

        assertThat(views.topics(READ)).contains("orders.events", "kitchen.events").doesNotContain("orders.commands");
        assertThat(views.topics(WRITE)).contains("views.order-status.history", "views.order-status.latest",
                "views.parked").noneMatch(topic -> topic.endsWith(".commands") || topic.endsWith(".events"));
    }

    @Test
    void eachEventStoreHasOneWriterItsAggregateJob() {
        for (BoundedContext context : BoundedContext.values()) {
            assertThat(access.principals().stream().filter(p -> p.topics(WRITE).contains(context.eventsTopic()))
                    .map(Principal::name)).as(context.eventsTopic()).containsExactly(context.id());
        }
    }

    @Test
    void theToolsReadEveryTopicAndWriteNone() {
        Principal tools = access.principal(AccessCatalog.TOOLS);

        assertThat(tools.topics(READ)).containsExactlyInAnyOrderElementsOf(
                TopicCatalog.standard().topics().stream().map(TopicSpec::name).toList());
        assertThat(tools.grants()).noneMatch(grant -> grant.operation() == WRITE);
    }

    @Test
    void theGatewaySendsCommandsAndReadsOutcomesAndViewsButWritesNoEvent() {
        Principal gateway = access.principal(AccessCatalog.GATEWAY);

        assertThat(gateway.topics(WRITE)).containsExactlyInAnyOrderElementsOf(Arrays.stream(BoundedContext.values())
                .map(BoundedContext::commandsTopic).toList());
        assertThat(gateway.topics(READ)).contains("orders.events", "orders.rejections", "views.order-status.latest")
                .doesNotContain("orders.commands");
    }

    @Test
    void everyGrantedTopicIsACatalogTopicAndEveryPrincipalIsNamedOnce() {
        Set<String> topics = TopicCatalog.standard().topics().stream().map(TopicSpec::name)
                .collect(Collectors.toSet());
        List<String> names = access.principals().stream().map(Principal::name).toList();

        assertThat(names).doesNotHaveDuplicates().doesNotContain(AccessCatalog.ADMIN);
        assertThat(access.principals()).allSatisfy(p -> assertThat(p.grants()).allSatisfy(grant -> {
            if (grant.resource() == Grant.Resource.TOPIC) {
                assertThat(topics).contains(grant.name());
            }
        }));
        assertThatThrownBy(() -> access.principal("nobody")).hasMessageContaining("the principals are");
    }
}
