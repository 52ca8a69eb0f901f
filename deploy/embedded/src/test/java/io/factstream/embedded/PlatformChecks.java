package io.factstream.embedded;

import java.util.ArrayList;
import java.util.List;

import io.factstream.catalog.BoundedContext;
import io.factstream.kafka.audit.AuditReport;
import io.factstream.kafka.audit.InvariantAuditor;
import io.factstream.kafka.read.CommittedReader;

/** What the platform tests check on a run: the plan, and the invariants of {@code docs/architecture.md} per context. */
final class PlatformChecks {

    private PlatformChecks() {
    }

    /** The invariant audit of every context; empty when all hold. */
    static List<String> auditProblems(CommittedReader topics) {
        List<String> problems = new ArrayList<>();
        for (BoundedContext context : BoundedContext.values()) {
            AuditReport report = new InvariantAuditor().audit(topics, context);
            report.problems().forEach(p -> problems.add(context.id() + ": " + p));
        }
        return problems;
    }
}
