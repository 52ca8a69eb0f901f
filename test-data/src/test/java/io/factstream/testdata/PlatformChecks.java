package io.factstream.testdata;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.factstream.audit.AuditReport;
import io.factstream.audit.InvariantAuditor;
import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.serde.SingleObjectCodec;
import io.factstream.topics.CommittedReader;

/** What the platform tests check on a run: the plan, and DESIGN.md's invariants per context. */
final class PlatformChecks {

    private PlatformChecks() {
    }

    /** Each order of the world and the outcome it was planned to have. */
    static Map<String, String> plannedOutcomes(World world) throws Exception {
        SingleObjectCodec<CommandEnvelope> codec = SingleObjectCodec.forType(CommandEnvelope.class);
        Map<String, String> planned = new HashMap<>();
        for (ScriptedCommand entry : world.script()) {
            if (entry.getPlannedOutcome() != null) {
                planned.put(codec.decode(entry.getCommand().array()).getSubjectId(), entry.getPlannedOutcome());
            }
        }
        return planned;
    }

    /** The invariant audit of every context; empty when all hold. */
    static List<String> auditProblems(CommittedReader topics) {
        List<String> problems = new ArrayList<>();
        for (BoundedContext context : BoundedContext.values()) {
            AuditReport report = new InvariantAuditor().audit(read(topics, context.commandsTopic()),
                    read(topics, context.eventsTopic()), read(topics, context.rejectionsTopic()),
                    read(topics, context.deadLetterTopic()));
            report.problems().forEach(p -> problems.add(context.id() + ": " + p));
        }
        return problems;
    }

    private static List<ConsumerRecord<byte[], byte[]>> read(CommittedReader topics, String topic) {
        return topics.readAll(List.of(topic));
    }
}
