package io.factstream.kernel.aggregate;

import java.util.List;

import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.state.AggregateSnapshot;

/** What handling one command produced, and the aggregate's snapshot afterwards. */
public sealed interface CommandOutcome {

    /** The command id was handled before: nothing is emitted and nothing changes. */
    record Duplicate() implements CommandOutcome {
    }

    /** The command was accepted: these stamped events, and the snapshot with them applied. */
    record Accepted(List<EventEnvelope> events, AggregateSnapshot snapshot) implements CommandOutcome {
    }

    /** The command was rejected: this answer, and the snapshot that remembers the command id. */
    record Rejected(CommandRejected rejection, AggregateSnapshot snapshot) implements CommandOutcome {
    }
}
