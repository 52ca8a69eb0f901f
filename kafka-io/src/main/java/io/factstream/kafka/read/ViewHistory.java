package io.factstream.kafka.read;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.catalog.wire.UndecodableRecordException;
import io.factstream.views.ViewRow;

/** Every version a view has had, from {@code views.<view>.history}: of one row, or of all. */
public final class ViewHistory {

    private final CommittedReader reader;

    public ViewHistory(String bootstrapServers) {
        this.reader = new CommittedReader(bootstrapServers, Duration.ofSeconds(60));
    }

    /** Every version of every row of the view, in topic order (per key: version order). */
    public List<ViewRow> all(String view) throws UndecodableRecordException {
        return versions(view, null);
    }

    /** The versions of one row, oldest first. */
    public List<ViewRow> of(String view, String key) throws UndecodableRecordException {
        return versions(view, key);
    }

    private List<ViewRow> versions(String view, String key) throws UndecodableRecordException {
        SingleObjectCodec<ViewRow> codec = SingleObjectCodec.forType(ViewRow.class);
        List<ViewRow> versions = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : reader.readAll(List.of(TopicCatalog.viewHistoryTopic(view)))) {
            if (key == null || key.equals(new String(record.key(), UTF_8))) {
                versions.add(codec.decode(record.value()));
            }
        }
        return versions;
    }
}
