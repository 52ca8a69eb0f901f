package io.factstream.statetools;

import java.io.Serializable;
import java.util.List;

import io.factstream.catalog.BoundedContext;
import io.factstream.state.AggregateSnapshot;

/**
 * A rewrite of the aggregate state of one context for an upgrade that Avro schema evolution cannot express, e.g. a
 * new field whose value follows from the others (Avro can only give it a constant default). The savepoint is read
 * with the new job version's classes, so the snapshot it gets has the new schema, with defaults where the old
 * state had nothing.
 */
interface AggregateMigration extends Serializable {

    /** The name {@code migrate --migration} knows it by. */
    String name();

    /** What it does and for which upgrade, in one sentence. */
    String description();

    /**
     * The state fields whose Avro default it replaces, as {@code record.field} (full record name): where
     * {@code plan-upgrade} finds one of them added to a savepoint's schema, it names this migration.
     */
    List<String> covers();

    /** The context whose aggregate job's state it rewrites. */
    BoundedContext context();

    /** The snapshot as the new version of the job needs it. */
    AggregateSnapshot migrate(AggregateSnapshot snapshot);

    /** The migrations state-tools ship. */
    static List<AggregateMigration> all() {
        return List.of(new WalletAvailableBalance());
    }
}
