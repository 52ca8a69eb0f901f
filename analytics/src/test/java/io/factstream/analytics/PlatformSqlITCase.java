package io.factstream.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.factstream.analytics.sql.PlatformTables;
import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.payments.v2.PaymentAuthorized;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.embedded.EmbeddedPlatform;
import io.factstream.kafka.audit.AuditReport;
import io.factstream.kafka.audit.PlatformAudit;
import io.factstream.kafka.clients.KafkaConnection;
import io.factstream.kafka.read.CommittedReader;
import io.factstream.testdata.PreviousRelease;
import io.factstream.testdata.WorldLog;

/**
 * Flink SQL over the event store: the committed sample world runs live on the embedded platform, then batch
 * queries read its topics through the {@code factstream-avro} format and the tables of {@link PlatformTables}.
 */
class PlatformSqlITCase {

    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final Path SAMPLE = Path.of("..", "test-data", "logs", "sample-1000.avro");
    private static final SingleObjectCodec<EventEnvelope> EVENTS = SingleObjectCodec.forType(EventEnvelope.class);

    private static EmbeddedPlatform platform;

    @BeforeAll
    static void runTheSampleLive() throws Exception {
        platform = EmbeddedPlatform.start(EmbeddedPlatform.Settings.quick(), EmbeddedPlatform.Logic.standard());
        platform.play(WorldLog.read(SAMPLE), Duration.ofMinutes(4));
    }

    @AfterAll
    static void stop() throws Exception {
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    void countingTheEventsByTypeInSqlGivesTheAuditorsCounts() throws Exception {
        TableEnvironment sql = tables(PlatformTables.all());
        List<String> counts = new ArrayList<>();
        for (BoundedContext context : BoundedContext.values()) {
            counts.add("SELECT eventType, COUNT(*) AS events FROM " + context.id() + "_events GROUP BY eventType");
        }

        Map<String, Long> counted = new TreeMap<>();
        for (Row row : rows(sql, String.join(" UNION ALL ", counts))) {
            counted.put(row.getFieldAs("eventType"), row.<Long>getFieldAs("events"));
        }

        Map<String, Long> audited = new TreeMap<>();
        PlatformAudit audit = PlatformAudit.of(new CommittedReader(platform.bootstrapServers(), WAIT));
        assertThat(audit.problems()).isEmpty();
        for (AuditReport context : audit.contexts().values()) {
            context.eventTypes().forEach((type, count) -> audited.merge(type, count, Long::sum));
        }
        assertThat(counted).isEqualTo(audited).containsKeys("OrderPlaced", "PaymentAuthorized", "DeliveryCompleted");
        assertThat(counted.get("OrderPlaced")).isEqualTo(1000L);
    }

    @Test
    void anEventThePreviousReleaseWroteReadsInTodaysShape() throws Exception {
        EventEnvelope authorized = platform.kafka().readCommitted(List.of(BoundedContext.PAYMENTS.eventsTopic()))
                .stream().map(ConsumerRecord::value).map(PlatformSqlITCase::decode)
                .filter(event -> event.getEventData() instanceof PaymentAuthorized).findFirst().orElseThrow();
        PaymentAuthorized today = (PaymentAuthorized) authorized.getEventData();
        String topic = "previous-release.payments.events";
        platform.kafka().createTopics(List.of(new NewTopic(topic, 1, (short) 1)));
        platform.kafka().send(new ProducerRecord<>(topic, authorized.getAggregateId().getBytes(),
                PreviousRelease.encode(authorized)));
        TableEnvironment sql = tables(List.of(new PlatformTables.Table("previous_payments", topic,
                EventEnvelope.class)));

        List<Row> rows = rows(sql, "SELECT eventId, schemaVersion, eventType, PaymentAuthorized.amount.minorUnits AS "
                + "amount, PaymentAuthorized.amount.currency AS currency, PaymentAuthorized.available.minorUnits "
                + "AS available FROM previous_payments");

        assertThat(rows).singleElement().satisfies(row -> {
            assertThat(row.<String>getFieldAs("eventId")).isEqualTo(authorized.getEventId());
            assertThat(row.<Integer>getFieldAs("schemaVersion")).as("lifted to version 2").isEqualTo(2);
            assertThat(row.<String>getFieldAs("eventType")).isEqualTo("PaymentAuthorized");
            assertThat(row.<Long>getFieldAs("amount")).isEqualTo(today.getAmount().getMinorUnits());
            assertThat(row.<String>getFieldAs("currency")).isEqualTo(today.getAmount().getCurrency());
            assertThat(row.<Long>getFieldAs("available")).isEqualTo(today.getAvailable().getMinorUnits());
        });
    }

    /** A batch table environment with these tables on the platform's broker. */
    private static TableEnvironment tables(List<PlatformTables.Table> tables) {
        TableEnvironment sql = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        KafkaConnection kafka = KafkaConnection.to(platform.bootstrapServers());
        tables.forEach(table -> sql.executeSql(PlatformTables.ddl(table, kafka, true)));
        return sql;
    }

    private static List<Row> rows(TableEnvironment sql, String query) throws Exception {
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> result = sql.executeSql(query).collect()) {
            result.forEachRemaining(rows::add);
        }
        return rows;
    }

    private static EventEnvelope decode(byte[] value) {
        try {
            return EVENTS.decode(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
