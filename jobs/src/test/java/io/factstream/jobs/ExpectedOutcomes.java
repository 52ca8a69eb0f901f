package io.factstream.jobs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.domain.Deciders;
import io.factstream.kernel.aggregate.AggregateSettings;
import io.factstream.kernel.aggregate.CommandHandler;
import io.factstream.kernel.aggregate.CommandOutcome;
import io.factstream.state.AggregateSnapshot;

/**
 * What an aggregate job must write for a command log, computed without Flink or Kafka by the same pure
 * {@link CommandHandler}: the oracle of the job tests.
 *
 * @param events     the events, in the order their commands were sent
 * @param rejections the rejections, in the order their commands were sent
 * @param snapshots  the final snapshot of every aggregate that was answered
 */
public record ExpectedOutcomes(List<EventEnvelope> events, List<CommandRejected> rejections,
                        Map<String, AggregateSnapshot> snapshots) {

    /** The outcomes of commands each keyed by its subject. */
    public static ExpectedOutcomes of(BoundedContext context, List<CommandEnvelope> commands,
                                      AggregateSettings settings) {
        return ofSends(context, commands.stream().map(c -> new CommandMix.Sent(c.getSubjectId(), null, c)).toList(),
                settings);
    }

    /** The outcomes of a mix's records, each with the key it was sent with; undecodable ones have none. */
    public static ExpectedOutcomes ofSends(BoundedContext context, List<CommandMix.Sent> sends,
                                           AggregateSettings settings) {
        CommandHandler<?> handler = new CommandHandler<>(Deciders.forContext(context), settings);
        Map<String, AggregateSnapshot> snapshots = new HashMap<>();
        List<EventEnvelope> events = new ArrayList<>();
        List<CommandRejected> rejections = new ArrayList<>();
        for (CommandMix.Sent sent : sends) {
            CommandEnvelope command = sent.command();
            if (command == null) {
                continue;
            }
            // Written when created: the mixes create commands just before they send them.
            CommandOutcome outcome = handler.handle(snapshots.get(command.getSubjectId()), command,
                    command.getCreationTimestamp(), sent.key());
            if (outcome instanceof CommandOutcome.Accepted accepted) {
                events.addAll(accepted.events());
                snapshots.put(command.getSubjectId(), accepted.snapshot());
            } else if (outcome instanceof CommandOutcome.Rejected rejected) {
                rejections.add(rejected.rejection());
                snapshots.put(command.getSubjectId(), rejected.snapshot());
            }
        }
        return new ExpectedOutcomes(events, rejections, snapshots);
    }
}
