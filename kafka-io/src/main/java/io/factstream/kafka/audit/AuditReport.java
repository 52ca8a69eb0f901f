package io.factstream.kafka.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What an {@link InvariantAuditor} found on one context's topics, read with {@code read_committed}.
 *
 * @param commandRecords    records on the commands topic
 * @param distinctCommands  distinct decodable commands (aggregate id and command id)
 * @param resentCommands    records that repeat an earlier command id for the same aggregate
 * @param answeredByEvents  commands answered by at least one event
 * @param answeredByRejection commands answered by exactly one rejection and no event
 * @param undecodable       command records that do not decode
 * @param deadLetters       records on the DLQ topic, by the job that wrote them
 * @param events            records on the events topic
 * @param eventTypes        the decodable events, by event type
 * @param rejections        records on the rejections topic
 * @param sequenceGaps      events whose sequence number is not the one due for their aggregate (a gap, a repeat or
 *                          a reordering)
 * @param repeatedEventIds  events whose event id was seen before: duplicates
 * @param problems          every violation of an invariant, one line each; empty when all hold
 */
public record AuditReport(long commandRecords, long distinctCommands, long resentCommands, long answeredByEvents,
                          long answeredByRejection, long undecodable, Map<String, Long> deadLetters, long events,
                          Map<String, Long> eventTypes, long rejections, long sequenceGaps, long repeatedEventIds,
                          List<String> problems) {

    public AuditReport {
        eventTypes = Map.copyOf(eventTypes);
        deadLetters = Map.copyOf(deadLetters);
        problems = List.copyOf(problems);
    }

    /** True when every invariant holds. */
    public boolean ok() {
        return problems.isEmpty();
    }

    /** The report for people: the counts, then every problem. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        lines.add(String.format("commands: %d records, %d distinct, %d resent, %d undecodable", commandRecords,
                distinctCommands, resentCommands, undecodable));
        lines.add(String.format("outcomes: %d by events, %d by one rejection, %d unanswered or answered twice",
                answeredByEvents, answeredByRejection, distinctCommands - answeredByEvents - answeredByRejection));
        String byWriter = deadLetters.isEmpty() ? "" : new TreeMap<>(deadLetters).entrySet().stream()
                .map(writer -> writer.getValue() + " by " + writer.getKey())
                .collect(Collectors.joining(", ", " (", ")"));
        lines.add(String.format("topics:   %d events, %d rejections, %d dead letters%s", events, rejections,
                deadLetters.values().stream().mapToLong(Long::longValue).sum(), byWriter));
        lines.add(String.format("events:   %d sequence gaps, %d duplicates", sequenceGaps, repeatedEventIds));
        if (!eventTypes.isEmpty()) {
            lines.add("types:    " + new TreeMap<>(eventTypes).entrySet().stream()
                    .map(type -> type.getKey() + " " + type.getValue()).collect(Collectors.joining(", ")));
        }
        lines.add(problems.isEmpty() ? "invariants hold" : problems.size() + " problems:");
        problems.forEach(p -> lines.add("  " + p));
        return lines;
    }
}
