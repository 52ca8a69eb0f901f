package io.factstream.kafka.audit;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.catalog.wire.UndecodableRecordException;
import io.factstream.kafka.read.CommittedReader;
import io.factstream.views.ViewRow;

/**
 * Checks the last-versioned invariant of one view on its two topics, read with {@code read_committed}:
 *
 * <ul>
 *   <li>per key, the history's versions run 1, 2, 3, ... in log order, and every version decodes;</li>
 *   <li>per key, the latest topic holds one of those versions as the history has it, or a tombstone where the
 *       history has a deletion. It may be behind the history while the view job commits, never ahead of it or
 *       different, so the check holds on a running platform too.</li>
 * </ul>
 */
public final class ViewAuditor {

    private final SingleObjectCodec<ViewRow> codec = SingleObjectCodec.forType(ViewRow.class);

    /** Audits what a view's history and latest topics hold, all of it. */
    public ViewAudit audit(CommittedReader topics, String view) {
        return audit(view, topics.readAll(List.of(TopicCatalog.viewHistoryTopic(view))),
                topics.readAll(List.of(TopicCatalog.viewLatestTopic(view))));
    }

    /** Audits the records of a view's history and latest topics, each in partition order. */
    public ViewAudit audit(String view, List<ConsumerRecord<byte[], byte[]>> history,
                           List<ConsumerRecord<byte[], byte[]>> latest) {
        List<String> problems = new ArrayList<>();
        Map<String, Map<Long, ViewRow>> versions = new HashMap<>();
        Map<String, Long> lastVersion = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : history) {
            ViewRow version = decode(record, problems);
            if (version == null) {
                continue;
            }
            long due = lastVersion.getOrDefault(version.getKey(), 0L) + 1;
            if (version.getVersion() != due) {
                problems.add(view + " row " + version.getKey() + ": version " + version.getVersion() + " where "
                        + due + " was due");
            }
            lastVersion.put(version.getKey(), version.getVersion());
            versions.computeIfAbsent(version.getKey(), key -> new HashMap<>()).put(version.getVersion(), version);
        }

        Map<String, ConsumerRecord<byte[], byte[]>> latestByKey = new LinkedHashMap<>();
        latest.forEach(record -> latestByKey.put(new String(record.key(), UTF_8), record));
        latestByKey.forEach((key, record) -> {
            Map<Long, ViewRow> known = versions.getOrDefault(key, Map.of());
            if (record.value() == null) {
                if (known.values().stream().noneMatch(v -> v.getRow() == null)) {
                    problems.add(view + " row " + key + " is deleted in latest, never in the history");
                }
                return;
            }
            ViewRow row = decode(record, problems);
            if (row != null && !row.equals(known.get(row.getVersion()))) {
                problems.add(view + " row " + key + ": latest holds version " + row.getVersion() + (known.containsKey(
                        row.getVersion()) ? ", unlike the history's" : ", which the history has not"));
            }
        });
        return new ViewAudit(view, history.size(), versions.size(), problems);
    }

    private ViewRow decode(ConsumerRecord<byte[], byte[]> record, List<String> problems) {
        try {
            return codec.decode(record.value());
        } catch (UndecodableRecordException e) {
            problems.add("record " + record.topic() + "-" + record.partition() + "@" + record.offset()
                    + " does not decode: " + e.getMessage());
            return null;
        }
    }

    /**
     * What a {@link ViewAuditor} found on one view's topics.
     *
     * @param view     the view's name
     * @param versions records on its history topic
     * @param rows     distinct keys in its history
     * @param problems every violation, one line each; empty when the view is sound
     */
    public record ViewAudit(String view, long versions, long rows, List<String> problems) {

        public ViewAudit {
            problems = List.copyOf(problems);
        }

        /** True when the view is sound. */
        public boolean ok() {
            return problems.isEmpty();
        }

        /** The report for people. */
        public List<String> lines() {
            List<String> lines = new ArrayList<>();
            lines.add(String.format("%s: %d versions of %d rows, %s", view, versions, rows,
                    problems.isEmpty() ? "versions contiguous, latest as in the history"
                            : problems.size() + " problems:"));
            problems.forEach(p -> lines.add("  " + p));
            return lines;
        }
    }
}
