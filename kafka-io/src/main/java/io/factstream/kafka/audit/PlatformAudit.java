package io.factstream.kafka.audit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.kafka.read.CommittedReader;

/**
 * The invariant audit of a whole platform: every context's topics ({@link InvariantAuditor}) and every view's
 * ({@link ViewAuditor}), read with {@code read_committed}.
 *
 * @param contexts each context's report, in catalog order
 * @param views    each view's report, in catalog order
 */
public record PlatformAudit(Map<BoundedContext, AuditReport> contexts, List<ViewAuditor.ViewAudit> views) {

    public PlatformAudit {
        contexts = Collections.unmodifiableMap(new LinkedHashMap<>(contexts));
        views = List.copyOf(views);
    }

    /** Reads and audits every context and every view of the catalog. */
    public static PlatformAudit of(CommittedReader topics) {
        Map<BoundedContext, AuditReport> contexts = new LinkedHashMap<>();
        for (BoundedContext context : BoundedContext.values()) {
            contexts.put(context, new InvariantAuditor().audit(topics, context));
        }
        List<ViewAuditor.ViewAudit> views = new ArrayList<>();
        for (String view : TopicCatalog.VIEWS) {
            views.add(new ViewAuditor().audit(topics, view));
        }
        return new PlatformAudit(contexts, views);
    }

    /** True when every invariant holds everywhere. */
    public boolean ok() {
        return problems().isEmpty();
    }

    /** Every violation, each prefixed with its context or view; empty when all hold. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        contexts.forEach((context, report) -> report.problems().forEach(p -> problems.add(context.id() + ": " + p)));
        views.forEach(view -> view.problems().forEach(p -> problems.add("views: " + p)));
        return problems;
    }

    /** The report for people: per context its counts and problems, then the views. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        contexts.forEach((context, report) -> {
            lines.add(context.id() + ":");
            report.lines().forEach(line -> lines.add("  " + line));
        });
        lines.add("views:");
        views.forEach(view -> view.lines().forEach(line -> lines.add("  " + line)));
        return lines;
    }
}
