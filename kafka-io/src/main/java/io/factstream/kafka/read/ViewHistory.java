package io.factstream.kafka.read;

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
    private final SingleObjectCodec<ViewRow> codec = SingleObjectCodec.forType(ViewRow.class);

    public ViewHistory(String bootstrapServers) {
        this.reader = new CommittedReader(bootstrapServers, Duration.ofSeconds(60));
    }

    /** Every version of every row of the view, in topic order (per key: version order). */
    public List<ViewRow> all(String view) throws UndecodableRecordException {
        return decode(reader.readAll(List.of(TopicCatalog.viewHistoryTopic(view))));
    }

    /** The versions of one row, oldest first (read from the one partition the key lives in). */
    public List<ViewRow> of(String view, String key) throws UndecodableRecordException {
        return decode(reader.readKey(TopicCatalog.viewHistoryTopic(view), key));
    }

    private List<ViewRow> decode(List<ConsumerRecord<byte[], byte[]>> records) throws UndecodableRecordException {
        List<ViewRow> versions = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            versions.add(codec.decode(record.value()));
        }
        return versions;
    }
}
