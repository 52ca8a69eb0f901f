package io.factstream.kafka.topics;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@link TopicAdmin} found, topic by topic.
 *
 * @param created   topics that were missing and are now created
 * @param missing   topics that are missing and were left so (a check only)
 * @param unchanged topics that exist as the catalog says
 * @param drifted   topics that exist but differ from the catalog; never changed by the tool
 */
public record TopicReport(List<String> created, List<String> missing, List<String> unchanged, List<Drift> drifted) {

    public TopicReport {
        created = List.copyOf(created);
        missing = List.copyOf(missing);
        unchanged = List.copyOf(unchanged);
        drifted = List.copyOf(drifted);
    }

    /**
     * A topic that differs from the catalog.
     *
     * @param topic       the topic name
     * @param differences one line per difference, e.g. {@code cleanup.policy is delete, expected compact}
     */
    public record Drift(String topic, List<String> differences) {
        public Drift {
            differences = List.copyOf(differences);
        }
    }

    /** True when every catalog topic exists as the catalog says. */
    public boolean consistent() {
        return missing.isEmpty() && drifted.isEmpty();
    }

    /** The report for people: one line per topic that is not simply unchanged, then a summary line. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        created.forEach(t -> lines.add("created   " + t));
        missing.forEach(t -> lines.add("missing   " + t));
        for (Drift drift : drifted) {
            drift.differences().forEach(d -> lines.add("DIFFERS   " + drift.topic() + ": " + d));
        }
        lines.add(String.format("%d created, %d missing, %d unchanged, %d differ from the catalog",
                created.size(), missing.size(), unchanged.size(), drifted.size()));
        return lines;
    }
}
