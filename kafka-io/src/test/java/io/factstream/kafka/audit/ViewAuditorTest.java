package io.factstream.kafka.audit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.views.CustomerOrdersRow;
import io.factstream.views.ViewRow;

/**
 * The view auditor's own tests: a sound view, then for every kind of violation topics that hold exactly that one
 * and the line the report must give for it.
 */
class ViewAuditorTest {

    private static final String VIEW = "customer-orders";

    @Test
    void aSoundViewHoldsTheInvariant() {
        ViewAuditor.ViewAudit audit = new Topics()
                .version("customer-1", 1, 1).version("customer-2", 1, 1).version("customer-1", 2, 3)
                .deletion("customer-2", 2).latest("customer-1", 2, 3).tombstone("customer-2")
                .audit();

        assertThat(audit.problems()).isEmpty();
        assertThat(audit.lines()).containsExactly(
                "customer-orders: 4 versions of 2 rows, versions contiguous, latest as in the history");
    }

    @Test
    void aLatestBehindTheHistoryIsNoViolation() {
        assertThat(new Topics().version("customer-1", 1, 1).version("customer-1", 2, 2).latest("customer-1", 1, 1)
                .audit().problems()).isEmpty();
    }

    @Test
    void aSkippedVersionIsReported() {
        assertThat(new Topics().version("customer-1", 1, 1).version("customer-1", 3, 2).audit().problems())
                .containsExactly("customer-orders row customer-1: version 3 where 2 was due");
    }

    @Test
    void aRepeatedVersionIsReported() {
        assertThat(new Topics().version("customer-1", 1, 1).version("customer-1", 1, 2).audit().problems())
                .containsExactly("customer-orders row customer-1: version 1 where 2 was due");
    }

    @Test
    void aHistoryNotStartingAtOneIsReported() {
        assertThat(new Topics().version("customer-1", 2, 1).audit().problems())
                .containsExactly("customer-orders row customer-1: version 2 where 1 was due");
    }

    @Test
    void aLatestAheadOfTheHistoryIsReported() {
        assertThat(new Topics().version("customer-1", 1, 1).latest("customer-1", 2, 2).audit().problems())
                .containsExactly("customer-orders row customer-1: latest holds version 2, which the history has not");
    }

    @Test
    void aLatestUnlikeTheHistoryIsReported() {
        assertThat(new Topics().version("customer-1", 1, 1).latest("customer-1", 1, 5).audit().problems())
                .containsExactly("customer-orders row customer-1: latest holds version 1, unlike the history's");
    }

    @Test
    void aTombstoneForARowTheHistoryNeverDeletedIsReported() {
        assertThat(new Topics().version("customer-1", 1, 1).tombstone("customer-1").audit().problems())
                .containsExactly("customer-orders row customer-1 is deleted in latest, never in the history");
    }

    @Test
    void anUndecodableVersionIsReported() {
        Topics topics = new Topics();
        topics.history.add(new ConsumerRecord<>(TopicCatalog.viewHistoryTopic(VIEW), 0, 0,
                "customer-1".getBytes(UTF_8), "{not avro}".getBytes(UTF_8)));

        assertThat(topics.audit().problems()).containsExactly("record views.customer-orders.history-0@0 does not "
                + "decode: not Avro single-object encoded: header 7b6e");
    }

    /** What a view's two topics hold, one partition each, built record by record in log order. */
    private static final class Topics {

        private static final SingleObjectCodec<ViewRow> ROWS = SingleObjectCodec.forType(ViewRow.class);
        private static final String HISTORY = TopicCatalog.viewHistoryTopic(VIEW);
        private static final String LATEST = TopicCatalog.viewLatestTopic(VIEW);

        private final List<ConsumerRecord<byte[], byte[]>> history = new ArrayList<>();
        private final List<ConsumerRecord<byte[], byte[]>> latest = new ArrayList<>();

        /** A version of a customer's row whose content is told apart by the number of orders completed. */
        Topics version(String key, long version, int completed) {
            history.add(record(HISTORY, history, key, ROWS.encode(row(key, version, completed))));
            return this;
        }

        Topics deletion(String key, long version) {
            history.add(record(HISTORY, history, key,
                    ROWS.encode(new ViewRow(VIEW, key, version, Instant.EPOCH, "e", null))));
            return this;
        }

        Topics latest(String key, long version, int completed) {
            latest.add(record(LATEST, latest, key, ROWS.encode(row(key, version, completed))));
            return this;
        }

        Topics tombstone(String key) {
            latest.add(record(LATEST, latest, key, null));
            return this;
        }

        ViewAuditor.ViewAudit audit() {
            return new ViewAuditor().audit(VIEW, history, latest);
        }

        private static ViewRow row(String key, long version, int completed) {
            return new ViewRow(VIEW, key, version, Instant.EPOCH, "e",
                    CustomerOrdersRow.newBuilder().setCustomerId(key).setCompleted(completed).build());
        }

        private static ConsumerRecord<byte[], byte[]> record(String topic, List<?> records, String key,
                                                             byte[] value) {
            return new ConsumerRecord<>(topic, 0, records.size(), key.getBytes(UTF_8), value);
        }
    }
}
